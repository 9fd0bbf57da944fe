"""Small modal questions, each behind an `ask()` classmethod that tests can replace."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from reader.ui.plain import message_box


class Confirm:
    """Asks the user to confirm a destructive action."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, action: str) -> bool:
        box = message_box(QMessageBox.Icon.Question, title, text, parent=parent)
        confirm = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is confirm
