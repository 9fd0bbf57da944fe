"""Markdown export: the file's shape, front matter, safe re-runs, selection, templates."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from markdown_it import MarkdownIt

from reader.export.exporter import (MANIFEST, Exporter, ExportError, default_template_path,
                                    safe_file_name)
from reader.links import parse_link


@pytest.fixture
def library(any_library):
    """Every test here runs on a SQLite file and on PostgreSQL."""
    return any_library


TITLE = 'Kursk: "bridges", #war & Ölpreise — 2024'
SOURCE = (f"# {TITLE}\n\nBy Ana Lopez\n\nAugust 18, 2024\n\n"
          "The bridge at Glushkovo fell first. Then the rail line was cut.\n\n"
          "Supplies stopped for a week.\n")


@pytest.fixture
def annotated(library, write_file):
    (article_id,) = library.import_files([write_file("kursk.md", SOURCE)]).added
    text = library.articles.text(article_id)
    start = text.index("The bridge")
    end = text.index("for a week.") + len("for a week.")
    first = library.highlights.create(article_id, start, end, "green").highlight_id
    library.highlights.set_tags(first, ["war/front", "bridges"])
    library.highlights.set_note(first, "Two **paragraphs** quoted.\n\nSee also the map.")
    second = library.highlights.create(article_id, text.index("rail line"),
                                       text.index("rail line") + 9).highlight_id
    library.articles.set_tags(article_id, ["offensive"])
    library.articles.set_note(article_id, "Why did *supplies* stop?")
    library.colours.rename("green", "evidence")
    return article_id, first, second


def _front_matter(markdown: str) -> dict:
    assert markdown.startswith("---\n")
    return yaml.safe_load(markdown.split("---\n", 2)[1])


def test_front_matter_round_trips_through_a_yaml_parser(library, annotated):
    article_id, _first, _second = annotated
    markdown = Exporter(library).to_text([article_id])
    front = _front_matter(markdown)
    assert front["title"] == TITLE
    assert front["author"] == "Ana Lopez"
    assert front["published"] == "2024-08-18"
    assert front["tags"] == ["offensive"]
    assert front["highlights"] == 2
    assert front["marginalia_id"] == article_id
    assert parse_link(front["marginalia_link"]).article_id == article_id
    assert re.match(r"\d{4}-\d\d-\d\dT", front["exported"])


def test_the_file_has_title_byline_note_and_highlights_in_order(library, annotated):
    article_id, first, second = annotated
    markdown = Exporter(library).to_text([article_id])
    html = MarkdownIt("commonmark").render(markdown.split("---\n", 2)[2])
    assert "<h1>Kursk: &quot;bridges&quot;, #war &amp; Ölpreise — 2024</h1>" in html
    assert "Ana Lopez · 18 August 2024" in html
    assert "Why did <em>supplies</em> stop?" in html
    assert "<h2>Highlights</h2>" in html
    body = markdown.split("## Highlights", 1)[1]
    assert body.index(f"^hl-{first}") < body.index(f"^hl-{second}")  # reading order
    # The quote keeps its paragraph break, as two paragraphs of one block quote.
    assert "<blockquote>\n<p>The bridge at Glushkovo fell first. Then the rail line was cut.</p>\n" \
           "<p>Supplies stopped for a week.</p>\n</blockquote>" in html
    assert "evidence · #war/front #bridges" in markdown or "evidence · #bridges #war/front" in markdown
    assert f"marginalia://open?article={article_id}&highlight={first}" in markdown
    assert "Two <strong>paragraphs</strong> quoted." in html


def test_orphans_have_their_own_section(library, annotated):
    from reader.importing.sources import parse_article

    article_id, first, _second = annotated
    library.articles.replace_source(article_id, parse_article(
        f"# {TITLE}\n\nSomething else entirely, about rail lines.", "markdown"))
    markdown = Exporter(library).to_text([article_id])
    highlights, orphans = markdown.split("## Not found in the current text")
    assert f"^hl-{first}" in orphans and f"^hl-{first}" not in highlights


def test_export_to_a_folder_is_stable_and_rewrites_only_changes(library, annotated, tmp_path):
    article_id, first, _second = annotated
    folder = tmp_path / "vault"
    exporter = Exporter(library)
    report = exporter.to_folder(folder, exporter.select())
    (path,) = report.written
    assert path.parent == folder and path.suffix == ".md"
    assert (folder / MANIFEST).exists()
    os.utime(path, (1_000_000, 1_000_000))
    again = Exporter(library).to_folder(folder, exporter.select())
    assert again.written == () and again.unchanged == (path,)
    assert path.stat().st_mtime == 1_000_000  # untouched
    assert f"^hl-{first}" in path.read_text()
    # A change to a note rewrites the file, under the same name, with the same block ids.
    library.highlights.set_note(first, "Changed.")
    third = Exporter(library).to_folder(folder, exporter.select())
    assert third.written == (path,)
    assert "Changed." in path.read_text() and f"^hl-{first}" in path.read_text()


def test_a_later_article_with_the_same_title_gets_another_name(library, annotated, tmp_path, write_file):
    article_id, _first, _second = annotated
    folder = tmp_path / "vault"
    (path,) = Exporter(library).to_folder(folder, [article_id]).written
    (twin,) = library.import_files([write_file("twin.md", SOURCE + "\nOne more line.\n")]).added
    library.highlights.create(twin, 0, 5)
    report = Exporter(library).to_folder(folder, [twin, article_id])
    assert report.unchanged == (path,)
    (twin_path,) = report.written
    assert twin_path != path and twin_path.name.endswith(" (2).md")


def test_articles_without_annotations_are_skipped(library, annotated, write_file, tmp_path):
    (plain,) = library.import_files([write_file("plain.md", "# Plain\n\nNothing marked.")]).added
    report = Exporter(library).to_folder(tmp_path / "out", Exporter(library).select())
    assert report.skipped == (plain,) and len(report.written) == 1


def test_selection_by_article_and_by_tag(library, annotated, write_file):
    article_id, _first, _second = annotated
    (other,) = library.import_files([write_file("o.md", "# Other\n\nText here.")]).added
    hid = library.highlights.create(other, 0, 5).highlight_id
    library.highlights.set_tags(hid, ["war/rear"])
    exporter = Exporter(library)
    assert exporter.select([other]) == [other]
    assert sorted(exporter.select(tags=["war"])) == sorted([article_id, other])
    assert exporter.select(tags=["offensive"]) == [article_id]
    with pytest.raises(ExportError, match="no article with id 999"):
        exporter.select([999])
    with pytest.raises(ExportError, match="no tag called 'peace'"):
        exporter.select(tags=["peace"])


def test_template_override(library, annotated, tmp_path):
    article_id, first, _second = annotated
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ article.title }}|{% for h in highlights %}{{ h.block_id }} {{ h.colour_name }};"
                        "{% endfor %}", encoding="utf-8")
    assert Exporter(library, template).to_text([article_id]).startswith(f"{TITLE}|hl-{first} evidence;")


def test_bad_templates_are_clear_errors(library, annotated, tmp_path):
    article_id, _first, _second = annotated
    broken = tmp_path / "broken.j2"
    broken.write_text("line one\n{% for h in highlights %}\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"broken\.j2, line \d+"):
        Exporter(library, broken)
    undefined = tmp_path / "undefined.j2"
    undefined.write_text("{{ article.nonsense }}", encoding="utf-8")
    with pytest.raises(ExportError, match="undefined.j2.*nonsense"):
        Exporter(library, undefined).to_text([article_id])
    with pytest.raises(ExportError, match="missing.j2: cannot read the template"):
        Exporter(library, tmp_path / "missing.j2")


def test_an_unwritable_folder_is_an_error_and_writes_nothing(library, annotated, tmp_path, monkeypatch):
    article_id, _first, _second = annotated
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot create the folder"):
        Exporter(library).to_folder(blocker / "vault", [article_id])
    folder = tmp_path / "vault"
    folder.mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("reader.files._write_temporary", refuse)
    with pytest.raises(ExportError, match="Permission denied"):
        Exporter(library).to_folder(folder, [article_id])
    assert list(folder.iterdir()) == []


def test_a_file_that_cannot_be_written_changes_no_exported_file(
        library, annotated, tmp_path, monkeypatch):
    from reader import files

    from reader.importing.sources import parse_article

    article_id, _first, _second = annotated
    (second_id,) = library.articles.add_many(
        [parse_article("# Second piece\n\nA second text to annotate.", "markdown", "b.md")])
    library.highlights.create(second_id, 0, 6)
    folder = tmp_path / "vault"
    Exporter(library).to_folder(folder, [article_id, second_id])
    before = {p.name: p.read_bytes() for p in folder.glob("*.md")}
    library.highlights.create(article_id, 0, 3)
    library.highlights.create(second_id, 7, 12)
    original = files._write_temporary
    calls = []

    def full_on_the_second(target, data, mode, sync):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return original(target, data, mode, sync)

    monkeypatch.setattr(files, "_write_temporary", full_on_the_second)
    with pytest.raises(ExportError) as raised:
        Exporter(library).to_folder(folder, [article_id, second_id])
    assert str(raised.value) == (
        f"{calls[1]}: cannot write (No space left on device); no exported file was changed.")
    assert {p.name: p.read_bytes() for p in folder.glob("*.md")} == before
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    ("title", "expected"),
    [("A/B: c?", "A B c.md"), ("CON", "_CON.md"), ("nul.txt", "_nul.txt.md"), ("  ...  ", "Untitled.md"),
     ("trailing dots...", "trailing dots.md"), ("x" * 300, "x" * 119 + "….md"), ("Émile 😀", "Émile 😀.md")],
)
def test_file_names_are_safe_everywhere(title, expected):
    assert safe_file_name(title, set()) == expected


def test_file_names_are_unique_ignoring_case():
    assert safe_file_name("Title", {"title.md"}) == "Title (2).md"
    assert safe_file_name("Title", {"title.md", "title (2).md"}) == "Title (3).md"


@pytest.mark.parametrize("attack", [
    '{{ cycler.__init__.__globals__.os.popen("touch MARKER").read() }}',
    '{{ joiner.__init__.__globals__.os.system("touch MARKER") }}',
    '{{ "".__class__.__mro__[1].__subclasses__() }}',
    '{{ article.items.__self__.__class__.__init__.__globals__ }}',
    '{{ "{0.__class__.__init__.__globals__}".format(article) }}',
])
def test_a_template_cannot_reach_python(library, annotated, tmp_path, monkeypatch, attack):
    """Templates are shared like any other file: one must not run code when exported."""
    article_id, _first, _second = annotated
    monkeypatch.chdir(tmp_path)
    template = tmp_path / "shared.md.j2"
    template.write_text(attack.replace("MARKER", str(tmp_path / "ran")), encoding="utf-8")
    refused = r"shared\.md\.j2: refused by the template sandbox: .*unsafe"
    with pytest.raises(ExportError, match=refused) as raised:
        Exporter(library, template).to_folder(tmp_path / "vault", [article_id])
    assert str(template) in str(raised.value)
    assert not (tmp_path / "ran").exists()
    assert not list((tmp_path / "vault").glob("*.md"))


def test_the_sandbox_renders_the_default_and_user_templates_as_before(
        library, annotated, tmp_path):
    import jinja2

    article_id, first, _second = annotated
    user = tmp_path / "mine.md.j2"
    user.write_text(
        "{{ article.title | escape }} ({{ article.tags | join(', ') }})\n"
        "{% for h in highlights %}{{ loop.index }}. {{ h.quote | blockquote }} ^{{ h.block_id }}"
        "{% if h.note %}{{ h.note | contained('Note') }}{% endif %}\n{% endfor %}"
        "{{ cycler('odd', 'even').next() }} {{ range(3) | list }} {{ '%s-%d' | format('a', 1) }}"
        " {{ article.title.upper() }} {{ front_matter | length > 0 }}", encoding="utf-8")
    for path in (None, user):
        exporter = Exporter(library, path)
        sandboxed = exporter.to_text([article_id])
        plain = jinja2.Environment(
            autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
            undefined=jinja2.StrictUndefined)
        plain.filters.update(exporter.template.environment.filters)
        source = (path or default_template_path()).read_text(encoding="utf-8")
        exporter.template = plain.from_string(source)
        exporter.template.filename = str(path)
        exported = re.search(r"exported: (\S+)", sandboxed)
        unsandboxed = exporter.to_text([article_id])
        if exported:  # rendered a second later, perhaps
            unsandboxed = re.sub(r"exported: \S+", f"exported: {exported.group(1)}", unsandboxed)
        assert sandboxed == unsandboxed and f"hl-{first}" in sandboxed


def test_an_oversized_template_is_refused_before_it_is_read(library, tmp_path, monkeypatch):
    from pathlib import Path

    limit = 1024 * 1024
    big = tmp_path / "huge.md.j2"
    big.write_bytes(b"{{ article.title }}\n" + b"x" * limit)
    reads = []
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: reads.append(a) or "")
    with pytest.raises(ExportError) as raised:
        Exporter(library, big)
    assert str(raised.value) == (
        f"{big}: the template is larger than 1 MB (1,048,576 bytes), the most a template may be.")
    assert reads == []
    monkeypatch.undo()
    just_under = tmp_path / "fits.md.j2"
    just_under.write_bytes(b"{{ article.title }}" + b" " * (limit - 19))
    assert Exporter(library, just_under).template.filename == str(just_under)


def _snapshot(folder):
    """Every path under folder (links as links) with its bytes or link target."""
    return {str(p.relative_to(folder)): (os.readlink(p) if p.is_symlink() else
                                         p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("bad", [
    "../victim/.bashrc", "../victim/notes.md", "..", "ABSOLUTE", "sub/inner.md",
    "sub\\inner.md", "C:\\victim\\notes.md", "LINK.md", "SUBFOLDER.md", ".hidden.md",
    "notes.txt", "x" * 250 + ".md", "CON.md", "nul.txt.md", "a\x00b.md", "a:b.md",
    "\ud800.md",
])
def test_a_tampered_manifest_never_writes_outside_the_folder(library, annotated, tmp_path, bad):
    """The manifest is a file in a shared folder: its names are checked, never trusted."""
    import json

    article_id, _first, _second = annotated
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / ".bashrc").write_text("alias ls='ls --color'\n")
    (victim / "notes.md").write_text("my own notes\n")
    folder = tmp_path / "vault"
    (folder / "sub").mkdir(parents=True)
    (folder / "SUBFOLDER.md").mkdir()
    (folder / "LINK.md").symlink_to(victim / "notes.md")
    bad = bad.replace("ABSOLUTE", str(victim / "notes.md"))
    (folder / MANIFEST).write_text(json.dumps(
        {"format": 1, "articles": {str(article_id): {"file": bad, "exported": "2020-01-01"}}}))
    victim_before, top_before = _snapshot(victim), sorted(p.name for p in tmp_path.iterdir())

    report = Exporter(library).to_folder(folder, [article_id])

    assert _snapshot(victim) == victim_before
    assert sorted(p.name for p in tmp_path.iterdir()) == top_before
    assert not (folder / "sub" / "inner.md").exists()
    assert (folder / "LINK.md").is_symlink() and (folder / "SUBFOLDER.md").is_dir()
    (warning,) = report.warnings
    assert f"the entry for article {article_id}, {bad!r}" in warning and "ignored" in warning
    (path,) = report.written
    assert path.parent == folder and path.name.startswith("Kursk") and path.is_file()
    entries = json.loads((folder / MANIFEST).read_text())["articles"]
    assert entries[str(article_id)]["file"] == path.name
    again = Exporter(library).to_folder(folder, [article_id])  # the manifest is clean now
    assert again.warnings == () and again.unchanged == (path,)


def test_a_linked_manifest_is_replaced_not_written_through(library, annotated, tmp_path):
    article_id, _first, _second = annotated
    outside = tmp_path / "dotfile"
    outside.write_text("precious\n")
    folder = tmp_path / "vault"
    folder.mkdir()
    (folder / MANIFEST).symlink_to(outside)
    report = Exporter(library).to_folder(folder, [article_id])
    assert outside.read_text() == "precious\n"
    assert not (folder / MANIFEST).is_symlink() and (folder / MANIFEST).is_file()
    assert report.warnings == (f"{folder / MANIFEST} is a symbolic link: ignored, "
                               "and replaced by a file.",)


def test_malformed_and_duplicate_manifest_entries_are_dropped(library, annotated, tmp_path,
                                                             write_file):
    import json

    article_id, _first, _second = annotated
    (other,) = library.import_files([write_file("o.md", "# Other\n\nText here.")]).added
    library.highlights.create(other, 0, 5)
    folder = tmp_path / "vault"
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"format": 1, "articles": {
        str(article_id): {"file": "Same.md", "exported": "2020-01-01"},
        str(other): {"file": "same.md", "exported": "2020-01-01"},
        "77": {"file": 12}, "abc": {"file": "Fine.md", "exported": "x"}, "78": "text"}}))
    report = Exporter(library).to_folder(folder, [article_id, other])
    assert len(report.warnings) == 4
    assert any(f"article {other}, 'same.md', is already the file of article {article_id}" in w
               for w in report.warnings)
    assert sorted(p.name for p in folder.glob("*.md")) == ["Other.md", "Same.md"]
    entries = json.loads((folder / MANIFEST).read_text())["articles"]
    assert sorted(entries) == sorted([str(article_id), str(other)])


LONG_ASCII = ("Why the bridges at Glushkovo and Zvannoye mattered so much to the supply of the "
              "forces holding the salient through the autumn of that year, and what the "
              "engineers who rebuilt them under fire said about it afterwards in interviews "
              "given to several newspapers and a documentary film crew from Lithuania")
LONG_CJK = ("東京の新しい図書館についての長い記事" * 12)[:200]


def test_over_long_titles_get_shortened_names_and_never_stop_the_export(
        library, annotated, tmp_path):
    from reader.importing.sources import parse_article

    article_id, _first, _second = annotated
    assert len(LONG_ASCII) == 300 and len(LONG_CJK.encode("utf-8")) == 600
    ids = library.articles.add_many([
        parse_article(f"# {title}\n\nA text to annotate, long enough.", "markdown", f"{n}.md")
        for n, title in enumerate([LONG_ASCII, LONG_CJK, LONG_CJK])])
    for new in ids:
        library.highlights.create(new, 0, 6)
    folder = tmp_path / "vault"
    report = Exporter(library).to_folder(folder, [article_id, *ids])
    assert len(report.written) == 4 and report.warnings == ()
    names = {path.name for path in report.written}
    ascii_id, cjk_id, twin_id = ids
    (ascii_name,) = (n for n in names if n.startswith("Why"))
    # Cut at a word boundary, recognisable, and marked with the article's id.
    prefix = ascii_name.removesuffix(f"… ({ascii_id}).md")
    assert LONG_ASCII.startswith(prefix) and LONG_ASCII[len(prefix)] == " "
    assert len(prefix) >= 80
    # No spaces to cut at: whole characters, and the id keeps equal titles apart.
    cjk_prefixes = {n.removesuffix(f"… ({cjk_id}).md") for n in names}
    twin_prefixes = {n.removesuffix(f"… ({twin_id}).md") for n in names}
    ((cjk_prefix,), (twin_prefix,)) = (cjk_prefixes - names, twin_prefixes - names)
    assert cjk_prefix == twin_prefix and LONG_CJK.startswith(cjk_prefix)
    assert len(cjk_prefix) >= 50
    for name in names:
        assert len(name.encode("utf-8")) <= 200 + len(".md")  # the temporary fits too
    again = Exporter(library).to_folder(folder, [article_id, *ids])
    assert again.written == () and len(again.unchanged) == 4


def test_shortened_names_fit_a_file_system_with_shorter_names(library, annotated, tmp_path,
                                                               monkeypatch):
    """eCryptfs, for one, takes file names of at most 143 bytes."""
    from reader.importing.sources import parse_article

    (long_id,) = library.articles.add_many(
        [parse_article(f"# {LONG_CJK}\n\nSome text.", "markdown", "cjk.md")])
    library.highlights.create(long_id, 0, 4)
    monkeypatch.setattr("reader.export.exporter.os.pathconf", lambda path, name: 143)
    (path,) = Exporter(library).to_folder(tmp_path / "vault", [long_id]).written
    assert len(f".{path.name}.01234567.tmp".encode("utf-8")) <= 143
    assert path.name.startswith("東京") and path.name.endswith(f"… ({long_id}).md")


def test_an_export_removes_the_temporaries_a_killed_export_left(library, annotated, tmp_path):
    article_id, _first, _second = annotated
    folder = tmp_path / "vault"
    (path,) = Exporter(library).to_folder(folder, [article_id]).written
    leftovers = [f".{path.name}.0a1b2c3d.tmp", ".Another article.md.ffffffff.tmp",
                 f".{MANIFEST}.12345678.tmp"]
    kept = ["Mine.md", "notes.md.tmp", ".Mine.md.swp", "draft.md.0a1b2c3d.tmp",
            ".Mine.md.0a1b2c3d.tmp.orig", ".obsidian.json.0a1b2c3d.tmp"]
    for name in leftovers + kept:
        (folder / name).write_text("half-written")
    report = Exporter(library).to_folder(folder, [article_id])
    assert report.unchanged == (path,)
    assert sorted(p.name for p in folder.iterdir()) == sorted(kept + [path.name, MANIFEST])


def test_a_second_export_into_a_busy_folder_is_refused(library, annotated, tmp_path):
    from reader.files import exclusive_folder

    article_id, _first, _second = annotated
    folder = tmp_path / "vault"
    folder.mkdir()
    in_flight = folder / ".Other.md.0a1b2c3d.tmp"  # the running export's
    in_flight.write_text("being written")
    with exclusive_folder(folder):
        with pytest.raises(ExportError, match="another export into this folder is running"):
            Exporter(library).to_folder(folder, [article_id])
    assert sorted(p.name for p in folder.iterdir()) == [in_flight.name]
    assert len(Exporter(library).to_folder(folder, [article_id]).written) == 1
