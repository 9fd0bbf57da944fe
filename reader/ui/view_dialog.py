"""The dialog that saves a search as a view, or edits a view: its name, query and key."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reader.ui.plain import plain_label

# Given the name, query and key typed, does the change and returns None, or returns the
# field at fault ("name", "query" or "key") and why (said in the dialog, which stays open
# with that field focused, to put it right).
Apply = Callable[[str, str, str], tuple[str, str] | None]


class ViewDialog(QDialog):
    """Three fields and Save. The change is tried when Save is pressed: a name taken or a
    key in use is said under the fields, and the dialog stays open."""

    def __init__(self, parent: QWidget | None, title: str, apply: Apply, name: str = "",
                 query: str = "", key: str = "", focus: str = "name") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._apply = apply
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("Inbox, Long reads, To revisit…")
        self.name.setAccessibleName("Name")
        self.query = QLineEdit(query)
        self.query.setPlaceholderText("is:unread tag:history added:<2w")
        self.query.setAccessibleName("Query")
        self.key = QLineEdit(key)
        self.key.setPlaceholderText("optional: G, R (G then R), Ctrl+1…")
        self.key.setAccessibleName("Key")
        form = QFormLayout()
        form.addRow(plain_label("&Name:"), self.name)
        form.addRow(plain_label("&Query:"), self.query)
        form.addRow(plain_label("&Key:"), self.key)
        for row, field in enumerate((self.name, self.query, self.key)):
            form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().setBuddy(field)
        hint = plain_label("The query uses the search box's language; the key shows the view "
                           "from anywhere in the window.")
        hint.setObjectName("dialogHint")
        hint.setWordWrap(True)
        self.problem = plain_label(clipped=True)
        self.problem.setObjectName("dialogProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(520, 0)
        field = getattr(self, focus)
        field.setFocus()
        field.selectAll()

    def try_accept(self) -> bool:
        """Do the change; close if it was done, else say why and stay open."""
        problem = self._apply(self.name.text(), self.query.text(), self.key.text())
        if problem is None:
            self.accept()
            return True
        at, text = problem
        self.problem.setText(text)
        self.problem.show()
        field = getattr(self, at)
        field.setFocus()
        field.selectAll()
        return False

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, apply: Apply, name: str = "",
            query: str = "", key: str = "", focus: str = "name") -> bool:
        """Whether the change was made (False when cancelled)."""
        dialog = cls(parent, title, apply, name, query, key, focus)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()
