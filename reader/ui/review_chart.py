"""The review start screen's chart: reviews per day over the last twelve weeks, painted.

One bar a day, oldest on the left, today on the right (in the accent colour); faint
lines mark the weeks, the months are named under them, and the busiest day's count
stands at the top. Hovering a bar says its day and count. Painted with QPainter: the
Essentials wheel has no QtCharts, and a chart this small needs none.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from reader.review import ReviewHistory
from reader.review.cards import day_label
from reader.ui import theme

BAR_GAP = 2.0  # pixels between bars
MARGIN_TOP = 18.0  # room for the busiest day's count
MARGIN_BOTTOM = 18.0  # room for the month names


class ReviewChart(QWidget):
    """Reviews per day: `set_history(history)` shows a ReviewHistory."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: ReviewHistory | None = None
        self._peak_count = 0
        self.setObjectName("reviewChart")
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(300, 110))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Reviews per day, last 12 weeks")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(620, 130)

    def set_history(self, history: ReviewHistory | None) -> None:
        self.history = history
        self._peak_count = max((count for _day, count in history.days), default=0) \
            if history is not None else 0
        if history is not None and history.days:
            first, last = history.days[0][0], history.days[-1][0]
            busiest = max(history.days, key=lambda d: d[1])
            self.setAccessibleDescription(
                f"{history.total} reviews from {day_label(first)} to {day_label(last)}; "
                f"{history.today} today; the busiest day {day_label(busiest[0])} with "
                f"{busiest[1]}; a streak of {history.streak} days")
        self.update()

    # --- geometry ---------------------------------------------------------------------
    def _plot(self) -> QRectF:
        return QRectF(0, MARGIN_TOP, self.width(), self.height() - MARGIN_TOP - MARGIN_BOTTOM)

    def _slot(self) -> float:
        days = len(self.history.days) if self.history else 1
        return self.width() / max(days, 1)

    def _peak(self) -> int:
        return self._peak_count

    def bar_rect(self, index: int) -> QRectF:
        """Where the bar of the `index`th day (0: the oldest) is painted; empty for a day
        without reviews."""
        plot, slot = self._plot(), self._slot()
        count = self.history.days[index][1] if self.history else 0
        peak = self._peak()
        height = plot.height() * count / peak if peak else 0.0
        if count and height < 2:
            height = 2.0  # a single review still shows
        gap = BAR_GAP if slot > 4 else 0.0
        return QRectF(index * slot + gap / 2, plot.bottom() - height, max(slot - gap, 1.0),
                      height)

    def index_at(self, x: float) -> int | None:
        if not self.history or not self.history.days:
            return None
        index = int(x // self._slot())
        return index if 0 <= index < len(self.history.days) else None

    # --- painting ---------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(self.rect(), QColor(theme.PAPER))
        plot = self._plot()
        muted, border = QColor(theme.MUTED), QColor(theme.BORDER)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
        painter.setFont(small)
        metrics = QFontMetricsF(small)
        painter.setPen(QPen(border, 1))
        painter.drawLine(QPointF(0, plot.bottom() + 0.5), QPointF(self.width(), plot.bottom() + 0.5))
        if not self.history or not self.history.days:
            return
        slot = self._slot()
        days = self.history.days
        for index, (day, _count) in enumerate(days):
            x = index * slot
            if day.weekday() == 0:  # Monday: a week begins
                painter.setPen(QPen(border, 1, Qt.PenStyle.DotLine))
                painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            # Each month named where it begins (the first, if it has room left).
            if day.day == 1 or (index == 0 and day.day < 20):
                painter.setPen(muted)
                painter.drawText(QPointF(x + 1, self.height() - 4), day.strftime("%b"))
        bars, today = QColor(theme.MUTED), QColor(theme.ACCENT)
        bars.setAlpha(170)
        painter.setPen(Qt.PenStyle.NoPen)
        for index, (_day, count) in enumerate(days):
            if not count:
                continue
            painter.setBrush(today if index == len(days) - 1 else bars)
            painter.drawRect(self.bar_rect(index))
        peak = self._peak()
        if peak:
            painter.setPen(muted)
            label = f"{peak} a day at most"
            painter.drawText(QPointF(self.width() - metrics.horizontalAdvance(label) - 2,
                                     metrics.ascent()), label)
        else:
            painter.setPen(muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter,
                             "No reviews yet: the days you review show here.")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            index = self.index_at(event.pos().x())
            if index is None:
                QToolTip.hideText()
                event.ignore()
                return True
            day, count = self.history.days[index]
            # Our own words and numbers only: no user text in it.
            QToolTip.showText(event.globalPos(),
                              f"{day_label(day)}: {count} review{'s' * (count != 1)}", self)
            return True
        return super().event(event)
