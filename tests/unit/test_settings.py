"""The settings file: typed settings, key rebinding, problems reported, careful writes."""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from reader.commands import CONTEXTS, DEFAULT_KEYMAP, INVOCATIONS, keymap_problems
from reader.settings import SETTINGS, Settings, SettingsError, default_path


@pytest.fixture
def settings_file(tmp_path) -> Path:
    return tmp_path / "config" / "settings.toml"


@pytest.fixture
def write_settings(settings_file):
    def write(text: str) -> Path:
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(text, encoding="utf-8")
        return settings_file

    return write


def only_problem(settings: Settings) -> str:
    assert len(settings.problems) == 1, settings.problems
    return settings.problems[0]


# -- reading -----------------------------------------------------------------------------


def test_no_file_means_defaults_and_no_problems(settings_file):
    settings = Settings.load(settings_file)
    assert settings.problems == []
    assert {s.name: settings.get(s.name) for s in SETTINGS} == {
        "font_size": 13.0, "theme": "light", "export_folder": "", "export_template": "",
        "feed_interval_minutes": 60, "review_new_per_day": 10, "review_due_per_day": 50,
        "review_scope": "", "review_skip_tag": "no-review", "review_new_order": "newest",
        "review_retention": 0.9}
    assert settings.keymap() == DEFAULT_KEYMAP
    assert not settings_file.exists()


def test_default_path_is_in_the_user_config_folder(isolated_user_folders):
    config = isolated_user_folders / "xdg_config_home"
    assert default_path() == config / "marginalia" / "settings.toml"


def test_valid_settings_are_read(write_settings):
    settings = Settings.load(write_settings('font_size = 16\ntheme = "dark"\n'
                                            'export_folder = "/notes/vault"\n'))
    assert settings.problems == []
    assert settings.get("font_size") == 16.0 and isinstance(settings.get("font_size"), float)
    assert settings.get("theme") == "dark"
    assert settings.get("export_folder") == "/notes/vault"
    assert settings.get("export_template") == ""


def test_key_bindings_are_added_removed_and_replaced(write_settings):
    settings = Settings.load(write_settings(
        '[keys.reader]\n'
        '"Ctrl+H" = "highlight.create"   # added\n'
        '"H" = ""                         # removed\n'
        '"t" = "highlight.note"           # replaces T, spelt as the user wrote it\n'
        '[keys.anywhere]\n'
        '"F1" = "tags.manage"\n'))
    assert settings.problems == []
    keymap = settings.keymap()
    assert keymap["reader"]["Ctrl+H"] == "highlight.create"
    assert "H" not in keymap["reader"]
    assert keymap["reader"]["t"] == "highlight.note" and "T" not in keymap["reader"]
    assert keymap["anywhere"]["F1"] == "tags.manage"
    assert keymap["list"] == DEFAULT_KEYMAP["list"]
    assert keymap_problems(keymap) == []


def test_keymap_is_a_copy(write_settings):
    settings = Settings.load(write_settings('[keys.reader]\n"H" = ""\n'))
    settings.keymap()["reader"]["H"] = "highlight.create"
    assert "H" not in settings.keymap()["reader"]
    assert DEFAULT_KEYMAP["reader"]["H"] == "highlight.create"


def test_unknown_command_is_ignored(write_settings):
    path = write_settings('[keys.reader]\n"Ctrl+H" = "highlight.creat"\n"J" = "highlight.next"\n')
    settings = Settings.load(path)
    problem = only_problem(settings)
    assert str(path) in problem and "[keys.reader]" in problem and '"Ctrl+H"' in problem
    assert "unknown command" in problem and 'did you mean "highlight.create"' in problem
    assert "Ctrl+H" not in settings.keymap()["reader"]
    assert settings.keymap()["reader"]["J"] == "highlight.next"  # the good line still counts


def test_unknown_context_is_ignored(write_settings):
    path = write_settings('[keys.sidebar]\n"A" = "app.quit"\n[keys.list]\n"A" = "article.tag"\n')
    settings = Settings.load(path)
    problem = only_problem(settings)
    assert str(path) in problem and "[keys.sidebar]" in problem and "unknown context" in problem
    assert "sidebar" not in settings.keymap()
    assert settings.keymap()["list"]["A"] == "article.tag"


def test_binding_that_is_not_a_string_is_ignored(write_settings):
    path = write_settings('[keys.reader]\n"G" = 5\n"Ctrl+H" = ["highlight.create"]\n')
    settings = Settings.load(path)
    assert len(settings.problems) == 2
    assert all(str(path) in p and "[keys.reader]" in p for p in settings.problems)
    assert '"G"' in settings.problems[0] and '"Ctrl+H"' in settings.problems[1]
    assert settings.keymap() == DEFAULT_KEYMAP


def test_setting_written_under_a_keys_table_gets_a_hint(write_settings):
    settings = Settings.load(write_settings('[keys.reader]\n"H" = ""\nfont_size = 16\n'))
    assert "above the first [table] heading" in only_problem(settings)
    assert settings.get("font_size") == 13.0


@pytest.mark.parametrize(("text", "context", "key", "clashes_with"), [
    # a reader key that is also bound anywhere
    ('[keys.reader]\n"Ctrl+Z" = "highlight.next"\n', "reader", "Ctrl+Z", "edit.undo"),
    # the same, differing only in case
    ('[keys.reader]\n"ctrl+z" = "highlight.next"\n', "reader", "ctrl+z", "edit.undo"),
    # a key bound anywhere that the reader already uses
    ('[keys.anywhere]\n"t" = "tags.manage"\n', "anywhere", "t", "highlight.tag"),
])
def test_conflicting_user_binding_is_dropped(write_settings, text, context, key, clashes_with):
    path = write_settings(text)
    settings = Settings.load(path)
    problem = only_problem(settings)
    assert str(path) in problem and f"[keys.{context}]" in problem and f'"{key}"' in problem
    assert clashes_with in problem
    keymap = settings.keymap()
    assert key not in keymap[context]
    assert keymap == DEFAULT_KEYMAP
    assert keymap_problems(keymap) == []


def test_key_written_twice_in_different_case_keeps_the_first(write_settings):
    settings = Settings.load(write_settings(
        '[keys.reader]\n"Ctrl+H" = "highlight.create"\n"ctrl+h" = "highlight.delete"\n'))
    problem = only_problem(settings)
    assert '"ctrl+h"' in problem and "same key" in problem
    assert settings.keymap()["reader"]["Ctrl+H"] == "highlight.create"
    assert "ctrl+h" not in settings.keymap()["reader"]


def test_key_moved_from_anywhere_to_reader(write_settings):
    settings = Settings.load(write_settings(
        '[keys.reader]\n"Ctrl+Z" = "highlight.previous"\n[keys.anywhere]\n"Ctrl+Z" = ""\n'))
    assert settings.problems == []
    assert settings.keymap()["reader"]["Ctrl+Z"] == "highlight.previous"
    assert "Ctrl+Z" not in settings.keymap()["anywhere"]


def test_unbinding_a_key_that_has_no_binding_is_reported(write_settings):
    settings = Settings.load(write_settings('[keys.list]\n"H" = ""\n'))
    assert "nothing to unbind" in only_problem(settings)
    assert settings.keymap() == DEFAULT_KEYMAP


_KEYS = ["H", "h", "T", "t", "Ctrl+Z", "ctrl+z", "Shift+T", "X", "1", "F1", "G, G", "Esc", ""]
_TARGETS = [i.text for i in INVOCATIONS] + ["", "no.such.command", "highlight.colour",
                                             "highlight.colour 9", "highlight.colour-2"]


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture],
                     deadline=None, max_examples=150)
@given(st.dictionaries(st.sampled_from([*CONTEXTS, "sidebar"]),
                       st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_TARGETS),
                                       max_size=6),
                       max_size=4))
def test_any_user_keymap_gives_a_keymap_without_problems(write_settings, keys):
    settings = Settings.load(write_settings(tomlkit.dumps({"keys": keys})))
    assert keymap_problems(settings.keymap()) == []


@pytest.mark.parametrize(("line", "name", "default"), [
    ('font_size = "big"', "font_size", 13.0),
    ("font_size = 40", "font_size", 13.0),
    ("font_size = 7.5", "font_size", 13.0),
    ("font_size = nan", "font_size", 13.0),
    ("font_size = true", "font_size", 13.0),
    ('theme = "blue"', "theme", "light"),
    ('theme = "Dark"', "theme", "light"),
    ("theme = 3", "theme", "light"),
    ("export_folder = 12", "export_folder", ""),
    ('export_template = ["a"]', "export_template", ""),
])
def test_wrong_type_or_value_uses_the_default(write_settings, line, name, default):
    path = write_settings(f"{line}\n")
    settings = Settings.load(path)
    problem = only_problem(settings)
    assert str(path) in problem and name in problem and "default" in problem
    assert settings.get(name) == default


def test_unknown_setting_is_reported(write_settings):
    settings = Settings.load(write_settings("fontsize = 15\n"))
    assert "unknown setting" in only_problem(settings) and "font_size" in settings.problems[0]
    assert settings.get("font_size") == 13.0


# -- broken files ------------------------------------------------------------------------


def test_malformed_toml_uses_defaults_and_is_never_overwritten(write_settings):
    text = '# my settings\ntheme = "dark"\nfont_size = \n[keys.reader]\n"H" = ""\n'
    path = write_settings(text)
    settings = Settings.load(path)
    problem = only_problem(settings)
    assert str(path) in problem and "line 3" in problem and "TOML" in problem
    assert settings.get("theme") == "light"
    assert settings.keymap() == DEFAULT_KEYMAP
    with pytest.raises(SettingsError, match="will not overwrite") as raised:
        settings.set("theme", "sepia")
    assert str(path) in str(raised.value) and "line 3" in str(raised.value)
    assert path.read_text(encoding="utf-8") == text
    assert settings.get("theme") == "light"


@pytest.mark.parametrize(("make", "reason"), [
    (lambda path: path.write_bytes(b'theme = "dark"\nexport_folder = "caf\xe9"\n'), "line 2"),
    (lambda path: path.mkdir(), "folder"),
])
def test_file_that_cannot_be_used_is_left_alone(settings_file, make, reason):
    settings_file.parent.mkdir(parents=True)
    make(settings_file)
    before = settings_file.read_bytes() if settings_file.is_file() else None
    settings = Settings.load(settings_file)
    problem = only_problem(settings)
    assert str(settings_file) in problem and reason in problem
    assert settings.get("theme") == "light"
    with pytest.raises(SettingsError):
        settings.set("font_size", 15)
    if before is not None:
        assert settings_file.read_bytes() == before
    else:
        assert settings_file.is_dir()


def test_unreadable_file_is_reported_and_left_alone(write_settings, monkeypatch):
    path = write_settings('theme = "dark"\n')

    real_open = os.open

    def refuse(name, *args, **kwargs):
        if Path(name) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    settings = Settings.load(path)
    assert str(path) in only_problem(settings) and "Permission denied" in settings.problems[0]
    with pytest.raises(SettingsError):
        settings.set("theme", "sepia")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == 'theme = "dark"\n'


# -- writing -----------------------------------------------------------------------------


def test_set_creates_the_file_and_its_folder(settings_file):
    settings = Settings.load(settings_file)
    settings.set("font_size", 15)
    assert settings.get("font_size") == 15.0
    assert tomllib.loads(settings_file.read_text(encoding="utf-8")) == {"font_size": 15.0}
    again = Settings.load(settings_file)
    assert again.problems == [] and again.get("font_size") == 15.0


def test_set_stores_only_differences_and_removes_defaults(settings_file):
    settings = Settings.load(settings_file)
    settings.set("theme", "dark")
    settings.set("font_size", 18.5)
    settings.set("export_folder", Path("/notes/vault"))
    assert tomllib.loads(settings_file.read_text(encoding="utf-8")) == {
        "theme": "dark", "font_size": 18.5, "export_folder": "/notes/vault"}
    settings.set("font_size", 13)
    settings.set("export_folder", "")
    assert tomllib.loads(settings_file.read_text(encoding="utf-8")) == {"theme": "dark"}
    assert settings.get("font_size") == 13.0


def test_setting_a_default_on_no_file_creates_none(settings_file):
    Settings.load(settings_file).set("theme", "light")
    assert not settings_file.exists()


def test_set_keeps_comments_layout_and_key_bindings(write_settings):
    path = write_settings(
        "# Marginalia, my way\n"
        'theme = "dark"   # easier at night\n'
        "font_size = 20\n"
        "\n"
        "# my keys\n"
        "[keys.reader]\n"
        '"Ctrl+H" = "highlight.create"   # like my editor\n'
        '"H" = ""\n')
    settings = Settings.load(path)
    settings.set("theme", "sepia")
    settings.set("font_size", 13.0)
    settings.set("export_folder", "/notes")
    assert path.read_text(encoding="utf-8") == (
        "# Marginalia, my way\n"
        'theme = "sepia"   # easier at night\n'
        'export_folder = "/notes"\n'
        "\n"
        "# my keys\n"
        "[keys.reader]\n"
        '"Ctrl+H" = "highlight.create"   # like my editor\n'
        '"H" = ""\n')
    again = Settings.load(path)
    assert again.problems == []
    assert again.get("export_folder") == "/notes"  # top level, not inside [keys.reader]
    assert again.keymap() == settings.keymap()


def test_set_keeps_edits_made_by_hand_since_loading(write_settings):
    path = write_settings('theme = "dark"\n')
    settings = Settings.load(path)
    path.write_text('theme = "dark"\n[keys.reader]\n"H" = ""\n', encoding="utf-8")
    settings.set("font_size", 14)
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "theme": "dark", "font_size": 14.0, "keys": {"reader": {"H": ""}}}


def test_set_keeps_windows_line_endings(settings_file):
    settings_file.parent.mkdir(parents=True)
    settings_file.write_bytes(b'# mine\r\ntheme = "dark"\r\n')
    Settings.load(settings_file).set("font_size", 14)
    assert settings_file.read_bytes() == b'# mine\r\ntheme = "dark"\r\nfont_size = 14.0\r\n'


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_set_writes_through_a_symbolic_link(tmp_path, settings_file):
    real = tmp_path / "dotfiles" / "marginalia.toml"
    real.parent.mkdir()
    real.write_text('theme = "dark"\n', encoding="utf-8")
    settings_file.parent.mkdir(parents=True)
    settings_file.symlink_to(real)
    Settings.load(settings_file).set("font_size", 14)
    assert settings_file.is_symlink()
    assert tomllib.loads(real.read_text(encoding="utf-8")) == {"theme": "dark", "font_size": 14.0}


@pytest.mark.parametrize(("name", "value", "words"), [
    ("font_size", "big", "must be a number"),
    ("font_size", True, "must be a number"),
    ("font_size", 40, "between 8 and 32"),
    ("font_size", 7.9, "between 8 and 32"),
    ("font_size", math.inf, "finite"),
    ("font_size", math.nan, "finite"),
    ("theme", "blue", "one of"),
    ("theme", None, "text"),
    ("export_folder", 3, "text"),
])
def test_set_rejects_bad_values(write_settings, name, value, words):
    path = write_settings('theme = "dark"\n')
    settings = Settings.load(path)
    before = settings.get(name)
    with pytest.raises(ValueError, match=words) as raised:
        settings.set(name, value)
    assert name in str(raised.value)
    assert settings.get(name) == before
    assert path.read_text(encoding="utf-8") == 'theme = "dark"\n'


def test_unknown_setting_name_is_a_key_error(settings_file):
    settings = Settings.load(settings_file)
    with pytest.raises(KeyError):
        settings.get("fontsize")
    with pytest.raises(KeyError):
        settings.set("fontsize", 12)


def test_failed_write_leaves_the_file_whole_and_no_leftovers(write_settings, monkeypatch):
    text = '# mine\ntheme = "dark"\n[keys.reader]\n"H" = ""\n'
    path = write_settings(text)
    settings = Settings.load(path)

    def fail(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(SettingsError, match="No space left"):
        settings.set("font_size", 20)
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]
    assert settings.get("font_size") == 13.0


def test_new_setting_goes_above_a_file_of_only_key_tables(write_settings):
    path = write_settings('# my keys\n[keys.reader]\n"H" = ""\n')
    Settings.load(path).set("theme", "dark")
    assert path.read_text(encoding="utf-8") == (
        'theme = "dark"\n# my keys\n[keys.reader]\n"H" = ""\n')


def test_byte_order_mark_is_accepted_and_kept(settings_file):
    settings_file.parent.mkdir(parents=True)
    settings_file.write_bytes('\ufefftheme = "dark"\n'.encode("utf-8"))
    settings = Settings.load(settings_file)
    assert settings.problems == [] and settings.get("theme") == "dark"
    settings.set("font_size", 14)
    assert settings_file.read_bytes() == '\ufefftheme = "dark"\nfont_size = 14.0\n'.encode("utf-8")


def test_an_edit_that_would_change_anything_else_is_refused(write_settings, monkeypatch):
    import reader.settings_file as module

    text = '[keys.reader]\n"H" = ""\n'
    path = write_settings(text)

    def misplace(doc, name, value):  # the mistake the check guards against
        doc["keys"]["reader"][name] = value

    monkeypatch.setattr(module, "_add", misplace)
    with pytest.raises(SettingsError, match="more than that setting"):
        Settings.load(path).set("theme", "dark")
    assert path.read_text(encoding="utf-8") == text


def test_setting_a_default_already_removed_by_hand(write_settings):
    path = write_settings("font_size = 20\n")
    settings = Settings.load(path)
    path.write_text("# nothing here now\n", encoding="utf-8")
    settings.set("font_size", 13)
    assert settings.get("font_size") == 13.0
    assert path.read_text(encoding="utf-8") == "# nothing here now\n"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_set_keeps_the_file_mode(write_settings):
    path = write_settings('theme = "dark"\n')
    path.chmod(0o640)
    Settings.load(path).set("font_size", 14)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_key_spelt_with_its_modifiers_in_another_order_is_the_same_key(write_settings):
    settings = Settings.load(write_settings(
        '[keys.reader]\n"Shift+Ctrl+Z" = "highlight.next"\n"escape" = "highlight.previous"\n'))
    problem = only_problem(settings)
    assert '"Shift+Ctrl+Z"' in problem and "edit.redo" in problem  # Ctrl+Shift+Z, anywhere
    keymap = settings.keymap()
    assert "Shift+Ctrl+Z" not in keymap["reader"]
    # Escape replaces the default Esc binding rather than binding the key twice.
    assert keymap["reader"]["escape"] == "highlight.previous" and "Esc" not in keymap["reader"]
    assert keymap_problems(keymap) == []


def test_a_key_is_bound_to_a_command_with_its_argument(write_settings):
    settings = Settings.load(write_settings(
        '[keys.reader]\n"Ctrl+1" = "highlight.colour 3"\n"1" = ""\n'
        '[keys.anywhere]\n"F9" = "view.theme  dark"\n'))
    assert settings.problems == []
    keymap = settings.keymap()
    assert keymap["reader"]["Ctrl+1"] == "highlight.colour 3" and "1" not in keymap["reader"]
    assert keymap["anywhere"]["F9"] == "view.theme dark"  # one spelling


def test_an_old_colour_id_still_binds_its_colour(write_settings):
    settings = Settings.load(write_settings('[keys.reader]\n"Ctrl+2" = "highlight.colour-2"\n'))
    assert settings.problems == []
    assert settings.keymap()["reader"]["Ctrl+2"] == "highlight.colour 2"


@pytest.mark.parametrize(("value", "words"), [
    ("highlight.colour 9", "takes a NUMBER of 1, 2, 3, 4, 5"),
    ("highlight.colour", "needs a NUMBER"),
    ("highlight.colr 2", 'unknown command "highlight.colr 2" (did you mean "highlight.colour 2"?)'),
])
def test_a_wrong_argument_is_reported_with_the_file_and_key(write_settings, value, words):
    path = write_settings(f'[keys.reader]\n"Ctrl+9" = "{value}"\n')
    settings = Settings.load(path)
    problem = only_problem(settings)
    assert str(path) in problem and "[keys.reader]" in problem and '"Ctrl+9"' in problem
    assert words in problem and "ignored" in problem
    assert settings.keymap() == DEFAULT_KEYMAP


def test_the_tag_managers_keys_are_rebound_in_their_own_table(write_settings):
    settings = Settings.load(write_settings(
        '[keys.tag-manager]\n"F2" = ""\n"Ctrl+Z" = "tag-manager.rename"\n"X" = "app.quit"\n'))
    problem = only_problem(settings)  # Ctrl+Z is bound anywhere too, which is fine here
    assert '"X"' in problem and "only in the main window" in problem
    keymap = settings.keymap()
    assert keymap["tag-manager"] == {"Del": "tag-manager.delete", "Ctrl+Z": "tag-manager.rename"}
