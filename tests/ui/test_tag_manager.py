"""The Manage Tags dialog: rename, merge and delete through the library, with confirmations."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reader.ui.tag_manager import OWN_ROLE, TagListModel, TagManagerDialog
from reader.ui.tag_sidebar import COUNT_ROLE, TAG_ROLE


@pytest.fixture
def tagged_library(seeded_library):
    first, second = seeded_library.articles.ids()
    seeded_library.articles.set_tags(first, ["history/rome", "politics"])
    seeded_library.articles.set_tags(second, ["war"])
    highlight_id = seeded_library.highlights.create(second, 0, 10).highlight_id
    seeded_library.highlights.set_tags(highlight_id, ["history/greece", "politics"])
    return seeded_library


class Hooks:
    """Records what the dialog asked and answers as told."""

    def __init__(self, monkeypatch, new_name=None, confirm=True) -> None:
        self.new_name = new_name
        self.answer = confirm
        self.asked: list[str] = []
        self.confirmations: list[tuple[str, str]] = []
        self.errors: list[str] = []
        monkeypatch.setattr(TagManagerDialog, "ask_new_name", classmethod(self._ask))
        monkeypatch.setattr(TagManagerDialog, "confirm", classmethod(self._confirm))
        monkeypatch.setattr(TagManagerDialog, "show_error", classmethod(self._error))

    def _ask(self, _cls, _parent, old):
        self.asked.append(old)
        return self.new_name

    def _confirm(self, _cls, _parent, title, text):
        self.confirmations.append((title, text))
        return self.answer

    def _error(self, _cls, _parent, text):
        self.errors.append(text)


def _dialog(qtbot, library) -> TagManagerDialog:
    dialog = TagManagerDialog(library)
    qtbot.addWidget(dialog)
    _counted(qtbot, dialog.model)
    return dialog


def _counted(qtbot, model: TagListModel) -> None:
    if model.counting:
        with qtbot.waitSignal(model.counted, timeout=5000):
            pass


def _names(dialog: TagManagerDialog) -> list[str]:
    return [dialog.model.index(r).data(TAG_ROLE) for r in range(dialog.model.rowCount())]


def test_list_model_passes_qt_model_tester(qtbot, qtmodeltester, tagged_library):
    model = TagListModel(tagged_library)
    qtmodeltester.check(model, force_py=True)  # before the counts arrive, and after
    _counted(qtbot, model)
    qtmodeltester.check(model, force_py=True)


def test_names_are_listed_at_once_and_counts_follow(qtbot, tagged_library):
    model = TagListModel(tagged_library)
    assert model.counting
    assert [model.index(r).data(COUNT_ROLE) for r in range(model.rowCount())] == [None] * 5
    assert model.index(0).data(Qt.ItemDataRole.AccessibleTextRole) == "history, counting articles…"
    _counted(qtbot, model)
    assert [model.index(r).data(COUNT_ROLE) for r in range(model.rowCount())] == [2, 1, 1, 2, 1]


def test_lists_every_tag_with_its_count(qtbot, tagged_library):
    dialog = _dialog(qtbot, tagged_library)
    assert dialog.windowTitle() == "Manage Tags"
    rows = [(dialog.model.index(r).data(), dialog.model.index(r).data(COUNT_ROLE),
             dialog.model.index(r).data(OWN_ROLE)) for r in range(dialog.model.rowCount())]
    assert rows == [("history", 2, False), ("history/greece", 1, True),
                    ("history/rome", 1, True), ("politics", 2, True), ("war", 1, True)]


def test_an_implied_parent_can_be_renamed_but_not_deleted(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, new_name="past")
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("history")
    assert dialog.rename_button.isEnabled()
    assert not dialog.delete_action.isEnabled()
    assert "nested" in dialog.hint.text()
    with qtbot.waitSignal(dialog.changed):
        dialog.rename_selected()
    assert hooks.asked == ["history"]
    assert tagged_library.tags.names() == ["past/greece", "past/rome", "politics", "war"]
    dialog.select("war")
    assert dialog.rename_button.isEnabled() and dialog.delete_action.isEnabled()


def test_rename(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, new_name="  conflict ")
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("war")
    with qtbot.waitSignal(dialog.changed) as signal:
        dialog.rename_selected()
    assert hooks.asked == ["war"]
    assert hooks.confirmations == []
    assert signal.args[0].tags
    assert "conflict" in tagged_library.tags.names()
    assert "war" not in tagged_library.tags.names()
    assert "conflict" in _names(dialog) and "war" not in _names(dialog)
    assert dialog.selected_tag() == "conflict"


def test_merge_when_confirmed(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, new_name="Politics", confirm=True)
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("war")
    with qtbot.waitSignal(dialog.changed):
        dialog.rename_selected()
    title, text = hooks.confirmations[0]
    assert title == "Merge Tags"
    assert "'war' will be merged into the existing tag 'politics'" in text
    assert tagged_library.tags.names() == ["history/greece", "history/rome", "politics"]
    assert tagged_library.articles.ids(tag="politics") == tagged_library.articles.ids()
    assert dialog.selected_tag() == "politics"


def test_merge_declined_changes_nothing(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, new_name="politics", confirm=False)
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("war")
    emitted = []
    dialog.changed.connect(emitted.append)
    dialog.rename_selected()
    assert len(hooks.confirmations) == 1
    assert emitted == []
    assert "war" in tagged_library.tags.names()


def test_a_change_of_case_only_is_no_merge(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, new_name="War")
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("war")
    with qtbot.waitSignal(dialog.changed):
        dialog.rename_selected()
    assert hooks.confirmations == []
    assert "War" in tagged_library.tags.names()


def test_cancelled_or_unchanged_name_does_nothing(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, new_name=None)
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("war")
    emitted = []
    dialog.changed.connect(emitted.append)
    dialog.rename_selected()
    hooks.new_name = "war"
    dialog.rename_selected()
    assert hooks.asked == ["war", "war"]
    assert emitted == [] and hooks.errors == []


@pytest.mark.parametrize(("tag", "new_name", "message"), [
    ("war", "   ", "cannot be empty"),
    ("history/rome", "history/rome/empire", "inside itself"),
])
def test_invalid_rename_shows_the_error(qtbot, monkeypatch, tagged_library, tag, new_name, message):
    hooks = Hooks(monkeypatch, new_name=new_name)
    dialog = _dialog(qtbot, tagged_library)
    dialog.select(tag)
    emitted = []
    dialog.changed.connect(emitted.append)
    before = tagged_library.tags.names()
    dialog.rename_selected()
    assert len(hooks.errors) == 1 and message in hooks.errors[0]
    assert emitted == []
    assert tagged_library.tags.names() == before
    assert dialog.selected_tag() == tag


def test_delete_when_confirmed(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, confirm=True)
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("politics")
    with qtbot.waitSignal(dialog.changed) as signal:
        dialog.delete_selected()
    title, text = hooks.confirmations[0]
    assert title == "Delete Tag"
    assert "'politics' is on 2 articles" in text
    assert signal.args[0].tags
    assert "politics" not in tagged_library.tags.names()
    assert _names(dialog) == ["history", "history/greece", "history/rome", "war"]
    assert dialog.selected_tag() == "war"  # the row that took its place


def test_delete_declined_changes_nothing(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, confirm=False)
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("war")
    emitted = []
    dialog.changed.connect(emitted.append)
    dialog.delete_selected()
    assert "'war' is on 1 article." in hooks.confirmations[0][1]
    assert emitted == []
    assert "war" in tagged_library.tags.names()


def test_deleting_a_parent_says_nested_tags_stay(qtbot, monkeypatch, tagged_library):
    first = tagged_library.articles.ids()[0]
    tagged_library.articles.set_tags(first, ["history", "history/rome"])
    hooks = Hooks(monkeypatch, confirm=True)
    dialog = _dialog(qtbot, tagged_library)
    dialog.select("history")
    with qtbot.waitSignal(dialog.changed):
        dialog.delete_selected()
    assert "nested tags stay" in hooks.confirmations[0][1]
    assert "history/rome" in tagged_library.tags.names()
    assert "history" not in tagged_library.tags.names()


def test_f2_and_delete_keys_act_on_the_list(qtbot, monkeypatch, tagged_library):
    hooks = Hooks(monkeypatch, new_name="conflict", confirm=False)
    dialog = _dialog(qtbot, tagged_library)
    with qtbot.waitActive(dialog):
        dialog.show()
    dialog.select("war")
    dialog.list_view.setFocus()
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_F2)
    assert hooks.asked == ["war"]
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_Delete)
    assert hooks.confirmations[-1][0] == "Delete Tag"
    assert "'conflict' is on 1 article." in hooks.confirmations[-1][1]


def test_escape_closes(qtbot, tagged_library):
    dialog = _dialog(qtbot, tagged_library)
    with qtbot.waitActive(dialog):
        dialog.show()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.list_view, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_keys_come_from_the_keymap(qtbot, monkeypatch, tagged_library):
    import copy

    from reader.commands import DEFAULT_KEYMAP, TAG_MANAGER

    keymap = copy.deepcopy(DEFAULT_KEYMAP)
    keymap[TAG_MANAGER] = {"R": "tag-manager.rename", "Shift+D": "tag-manager.delete"}
    hooks = Hooks(monkeypatch, new_name=None, confirm=False)
    dialog = TagManagerDialog(tagged_library, None, keymap)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    dialog.select("war")
    dialog.list_view.setFocus()
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_F2)  # no longer bound
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_Delete)
    assert hooks.asked == [] and hooks.confirmations == []
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_R)
    assert hooks.asked == ["war"]
    qtbot.keyClick(dialog.list_view, Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier)
    assert hooks.confirmations[-1][0] == "Delete Tag"
    assert dialog.hint.text() == "R renames the selected tag, Shift+D deletes it."
    assert dialog.rename_button.toolTip().endswith("(R)")


def test_the_tag_manager_is_opened_with_the_windows_keymap(show_window, seeded_library,
                                                          monkeypatch, tmp_path):
    from reader.settings import Settings

    path = tmp_path / "settings.toml"
    path.write_text('[keys.tag-manager]\n"F2" = ""\n"Ctrl+R" = "tag-manager.rename"\n',
                    encoding="utf-8")
    window = show_window(seeded_library, Settings.load(path))
    assert window.setting_problems() == []
    opened = []
    monkeypatch.setattr(TagManagerDialog, "exec", lambda self: opened.append(self) or 0)
    window.cmd_tags_manage()
    (dialog,) = opened
    assert [k.toString() for k in dialog.rename_action.shortcuts()] == ["Ctrl+R"]
    assert [k.toString() for k in dialog.delete_action.shortcuts()] == ["Del"]
    # The tag manager's commands are not the window's: no menu item, no palette entry.
    assert "tag-manager.rename" not in window.actions.menu_actions
