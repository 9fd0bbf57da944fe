"""Kindle's My Clippings.txt and the Kindle app's notebook export, read as they are written.

The files here are written in the shapes Kindle devices and apps produce (as quoted by
other readers of these files): a byte-order mark on every clipping's title line, Windows
line ends, metadata lines in the device's language, the desktop app's mismatched tags.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.other_tools.common import sniff
from reader.other_tools.formats import kindle_clippings, kindle_notebook
from reader.other_tools.formats.kindle_clippings import parse_added, split_title, tidy_author
from reader.other_tools.model import FormatError

BOM = "\ufeff"
SEP = "=========="


def clip(title: str, meta: str, text: str = "") -> str:
    """One clipping as the device writes it (its title line starts with a BOM)."""
    return f"{BOM}{title}\n- {meta}\n\n{text}\n{SEP}\n"


def write(tmp_path: Path, text: str, name: str = "My Clippings.txt", crlf: bool = True) -> Path:
    path = tmp_path / name
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8"))
    return path


def read_clippings(tmp_path: Path, text: str, **kwargs):
    return kindle_clippings.read(write(tmp_path, text, **kwargs))


def detects(module, path: Path) -> bool:
    return module.detect(path, sniff(path))


def by_title(export) -> dict:
    return {item.title: item for item in export.items}


PIRANESI = "Piranesi (Clarke, Susanna)"
EN_HIGHLIGHT = ("Your Highlight on page 12 | Location 170-172 | Added on Monday, 7 August "
                "2023 09:30:15")

# ---------------------------------------------------------------- the clippings file


def test_reads_a_highlight_with_every_field(tmp_path):
    export = read_clippings(tmp_path, clip(PIRANESI, EN_HIGHLIGHT,
                                           "The Beauty of the House is immeasurable;\n"
                                           "its Kindness infinite."))
    assert export.format == "kindle" and export.source == "Kindle"
    assert export.problems == []
    [item] = export.items
    assert item.title == "Piranesi"
    assert item.author == "Susanna Clarke"
    assert item.book is True and item.url is None and item.content is None
    [highlight] = item.highlights
    assert highlight.text == "The Beauty of the House is immeasurable;\nits Kindness infinite."
    assert highlight.kind == "highlight"
    assert highlight.location == "Page 12 · Location 170-172"
    assert highlight.order == 170.0
    assert highlight.created_at == "2023-08-07T09:30:15+00:00"
    assert highlight.note == "" and highlight.colour is None


def test_reads_every_device_language(tmp_path):
    text = "".join([
        clip("Sapiens (Harari, Yuval Noah)", "Your Highlight on Location 35-36 | Added on "
             "Monday, July 20, 2020 12:58:07 AM", "english us"),
        clip("Life Every Day (Jeff Lucas)", "Highlight Loc. 143-46  | Added on Friday, 6 "
             "July 12 07:37:42 GMT+01:00", "old firmware"),
        clip("Im Westen nichts Neues (Erich Maria Remarque)", "Ihre Markierung bei Position "
             "234-236 | Hinzugefügt am Montag, 4. Januar 2021 09:15:00", "deutsch"),
        clip("Mein Buch (Muster, Hans)", "Ihre Markierung Position 14-14 | Hinzugefügt am "
             "Freitag, 26. April 2013 um 00:49:32 Uhr", "altes deutsch"),
        clip("Le Retour du roi (J.R.R. Tolkien)", "Votre surlignement sur la page 200 | "
             "emplacement 3054-3056 | Ajouté le mercredi 16 août 2017 02:14:10", "français"),
        clip("Freedom, Inc. (Brian M. Carney;Isaac Getz)", "Votre surlignement sur la page "
             "242 | Emplacement 3706-3708 | Ajouté le samedi 16 juin 2012 à 22:40:52",
             "vieux français"),
        clip("El Principe de la Niebla (Carlos Ruiz Zafón)", "La subrayado en la página 4 | "
             "posición 60-60 | Añadido el miércoles, 6 de julio de 2022 06:54:57", "español"),
        clip("Cien años de soledad (Gabriel García Márquez)", "Tu subrayado en la página 12 | "
             "posición 100-102 | Añadido el martes, 5 de enero de 2021 21:03:04", "tu"),
        clip("飘（上下） (外国文学名著名译丛书) ((美)米切尔)", "您在位置 #2543-2544的标注 | 添加于 "
             "2023年2月9日星期四 下午6:35:21", "梅拉妮才十八岁"),
        clip("如何使用 Knotes", "您在第 2 页（位置 #37-#38）的标注 | 添加于 2018年12月31日星期一 "
             "上午11:56:41", "功能栏"),
        clip("嫌われる勇気 (岸見 一郎)", "26ページ|位置No. 295-296のハイライト |作成日: "
             "2023年9月4日月曜日 22:53:55", "日本語"),
        clip("Your Money or Your Life (Vicki Robin)", "La tua evidenziazione alla posizione "
             "453-454 | Aggiunto in data lunedì 8 marzo 2021 22:52:57", "italiano"),
        clip("Ultralearning (Young, Scott)", "Seu destaque na página 69 | posição 1010-1011 | "
             "Adicionado: sábado, 23 de maio de 2020 10:00:47", "português"),
    ])
    export = read_clippings(tmp_path, text)
    assert export.problems == []
    got = {item.title: (item.author, item.highlights[0].location, item.highlights[0].order,
                        item.highlights[0].created_at) for item in export.items}
    assert got == {
        "Sapiens": ("Yuval Noah Harari", "Location 35-36", 35.0, "2020-07-20T00:58:07+00:00"),
        "Life Every Day": ("Jeff Lucas", "Location 143-146", 143.0,
                           "2012-07-06T07:37:42+00:00"),
        "Im Westen nichts Neues": ("Erich Maria Remarque", "Location 234-236", 234.0,
                                   "2021-01-04T09:15:00+00:00"),
        "Mein Buch": ("Hans Muster", "Location 14", 14.0, "2013-04-26T00:49:32+00:00"),
        "Le Retour du roi": ("J.R.R. Tolkien", "Page 200 · Location 3054-3056", 3054.0,
                             "2017-08-16T02:14:10+00:00"),
        "Freedom, Inc.": ("Brian M. Carney, Isaac Getz", "Page 242 · Location 3706-3708",
                          3706.0, "2012-06-16T22:40:52+00:00"),
        "El Principe de la Niebla": ("Carlos Ruiz Zafón", "Page 4 · Location 60", 60.0,
                                     "2022-07-06T06:54:57+00:00"),
        "Cien años de soledad": ("Gabriel García Márquez", "Page 12 · Location 100-102", 100.0,
                                 "2021-01-05T21:03:04+00:00"),
        "飘（上下） (外国文学名著名译丛书)": ("(美)米切尔", "Location 2543-2544", 2543.0,
                                   "2023-02-09T18:35:21+00:00"),
        "如何使用 Knotes": ("", "Page 2 · Location 37-38", 37.0, "2018-12-31T11:56:41+00:00"),
        "嫌われる勇気": ("岸見 一郎", "Page 26 · Location 295-296", 295.0,
                   "2023-09-04T22:53:55+00:00"),
        "Your Money or Your Life": ("Vicki Robin", "Location 453-454", 453.0,
                                    "2021-03-08T22:52:57+00:00"),
        "Ultralearning": ("Scott Young", "Page 69 · Location 1010-1011", 1010.0,
                          "2020-05-23T10:00:47+00:00"),
    }
    assert [h.text for h in by_title(export)["El Principe de la Niebla"].highlights] == [
        "español"]


@pytest.mark.parametrize("meta, kind", [
    ("Your Note on Location 171 | Added on Monday, 7 August 2023 09:30:15", "note"),
    ("Ihre Notiz bei Position 171 | Hinzugefügt am Montag, 7. August 2023 09:30:15", "note"),
    ("Votre note sur la page 12 | emplacement 171 | Ajouté le lundi 7 août 2023 09:30:15",
     "note"),
    ("La nota en la página 12 | posición 171 | Añadido el lunes, 7 de agosto de 2023 9:30:15",
     "note"),
    ("Tu nota en la posición 171 | Añadido el lunes, 7 de agosto de 2023 9:30:15", "note"),
    ("您在位置 #171 的笔记 | 添加于 2023年8月7日星期一 上午9:30:15", "note"),
    ("22ページ|位置No. 171のメモ |作成日: 2023年8月7日月曜日 9:30:15", "note"),
    ("Your Bookmark on page 3 | Location 171 | Added on Monday, 7 August 2023 09:30:15",
     "bookmark"),
    ("Ihr Lesezeichen auf Seite 3 | Position 171 | Hinzugefügt am Montag, 7. August 2023 "
     "09:30:15", "bookmark"),
    ("Votre signet sur la page 3 | emplacement 171 | Ajouté le lundi 7 août 2023 09:30:15",
     "bookmark"),
    ("Tu marcador en la posición 171 | Añadido el lunes, 7 de agosto de 2023 9:30:15",
     "bookmark"),
    ("您在位置 #171 的书签 | 添加于 2023年8月7日星期一 上午9:30:15", "bookmark"),
])
def test_notes_and_bookmarks_in_every_language(tmp_path, meta, kind):
    body = "a note of mine" if kind == "note" else ""
    [item] = read_clippings(tmp_path, clip("Book (Author)", meta, body)).items
    [highlight] = item.highlights
    assert highlight.kind == kind
    assert highlight.text == ""
    assert highlight.note == body
    assert highlight.order == 171.0
    assert highlight.created_at == "2023-08-07T09:30:15+00:00"


@pytest.mark.parametrize("written, expected", [
    ("Added on Monday, August 7, 2023 9:30:15 PM", "2023-08-07T21:30:15"),
    ("Added on Monday, August 7, 2023 12:05:00 AM", "2023-08-07T00:05:00"),
    ("Added on Monday, August 7, 2023 12:05:00 PM", "2023-08-07T12:05:00"),
    ("Added on Sunday, February 06, 2011, 10:03 AM", "2011-02-06T10:03:00"),
    ("Added on Monday, 3 December 12 19:51:33 Greenwich Mean Time", "2012-12-03T19:51:33"),
    ("Hinzugefügt am Dienstag, 17. Mai 2022 21:00:35", "2022-05-17T21:00:35"),
    ("Hinzugefügt am Samstag, 1. März 2025 um 07:08:09 Uhr", "2025-03-01T07:08:09"),
    ("Ajouté le lundi 30 septembre 2019 18:00:39", "2019-09-30T18:00:39"),
    ("Ajouté le lundi 17 décembre 2012 à 08:27:45", "2012-12-17T08:27:45"),
    ("Añadido el sábado, 12 de octubre de 2019 0:37:31", "2019-10-12T00:37:31"),
    ("Añadido el domingo 2 de septiembre de 2012, 23:54:20", "2012-09-02T23:54:20"),
    ("添加于 2023年8月7日星期一 上午9:30:15", "2023-08-07T09:30:15"),
    ("添加于 2023年8月7日星期一 下午9:30:15", "2023-08-07T21:30:15"),
    ("添加于 2023年8月7日星期一 上午12:10:00", "2023-08-07T00:10:00"),
    ("添加于 2023年8月7日星期一 下午12:10:00", "2023-08-07T12:10:00"),
    ("已添加至 2013年6月17日 星期一 22:27:30", "2013-06-17T22:27:30"),
    ("作成日: 2023年9月4日月曜日 22:53:55", "2023-09-04T22:53:55"),
    ("追加日： 2013年6月17日 (月曜日) 20:31:09", "2013-06-17T20:31:09"),
    ("Aggiunto in data lunedì 8 marzo 2021 22:52:57", "2021-03-08T22:52:57"),
    ("Adicionado na data segunda-feira, 17 de junho de 2013, 20:39:30", "2013-06-17T20:39:30"),
])
def test_dates_in_every_language(written, expected):
    assert parse_added(written) == expected + "+00:00"


@pytest.mark.parametrize("written", ["", "Added on", "Added on Funday, 99 Smarch 2023",
                                     "Added on Monday, 31 February 2023 10:00:00"])
def test_unreadable_dates_are_none(written):
    assert parse_added(written) is None


@pytest.mark.parametrize("line, title, author", [
    ("Piranesi (Clarke, Susanna)", "Piranesi", "Clarke, Susanna"),
    ("--authors (Inconnu(e))", "--authors", "Inconnu(e)"),
    ("Kindle-Benutzerhandbuch (German Edition) (Amazon (Editors))",
     "Kindle-Benutzerhandbuch (German Edition)", "Amazon (Editors)"),
    ("Kindle-Benutzerhandbuch (German Edition)", "Kindle-Benutzerhandbuch (German Edition)", ""),
    ("(Kindle-Benutzerhandbuch (Amazon))", "(Kindle-Benutzerhandbuch (Amazon))", ""),
    ("paulo-coehlo-the-devil-and-miss-prym  ", "paulo-coehlo-the-devil-and-miss-prym", ""),
    ("\ufeffWillkommen Axel  ", "Willkommen Axel", ""),
])
def test_title_and_author(line, title, author):
    assert split_title(line) == (title, author)


def test_authors_turned_round_and_joined():
    assert tidy_author("Romanov, Nicholas;Brungardt, Kurt") == "Nicholas Romanov, Kurt Brungardt"
    assert tidy_author("Martin, George R.R.") == "George R.R. Martin"
    # A comma between two full names is not a "Lastname, Firstname".
    assert tidy_author("Carlos Buenosvinos, Christian Soronellas;Keyvan Akbary") == (
        "Carlos Buenosvinos, Christian Soronellas, Keyvan Akbary")


def test_extended_highlight_is_merged_under_the_first_key(tmp_path):
    first = clip(PIRANESI, EN_HIGHLIGHT, "The Beauty of the House")
    extended = clip(PIRANESI, "Your Highlight on page 12 | Location 170-175 | Added on "
                    "Monday, 7 August 2023 09:35:00", "The Beauty of the House is immeasurable")
    again = clip(PIRANESI, "Your Highlight on page 12 | Location 170-172 | Added on Monday, "
                 "7 August 2023 09:40:00", "The Beauty of the House")
    other = clip(PIRANESI, "Your Highlight on page 12 | Location 171-171 | Added on Monday, "
                 "7 August 2023 09:45:00", "A different sentence in the same place")
    only_first = read_clippings(tmp_path, first)
    export = read_clippings(tmp_path, first + extended + again + other)
    [item] = export.items
    assert [h.text for h in item.highlights] == ["The Beauty of the House is immeasurable",
                                                 "A different sentence in the same place"]
    merged = item.highlights[0]
    assert merged.location == "Page 12 · Location 170-175"
    assert merged.created_at == "2023-08-07T09:35:00+00:00"
    assert merged.key == only_first.items[0].highlights[0].key


def test_short_equal_texts_in_different_places_stay_apart(tmp_path):
    at = "Your Highlight on Location {} | Added on Monday, 7 August 2023 09:30:15"
    export = read_clippings(tmp_path, clip(PIRANESI, at.format("100-100"), "Yes.")
                            + clip(PIRANESI, at.format("900-900"), "Yes.")
                            + clip(PIRANESI, at.format("2000-2001"), "A sentence long enough "
                                   "to be the same passage wherever it is.")
                            + clip(PIRANESI, at.format("2005-2006"), "A sentence long enough "
                                   "to be the same passage wherever it is."))
    assert [h.location for h in export.items[0].highlights] == [
        "Location 100", "Location 900", "Location 2000-2006"]


def test_notes_attach_to_the_highlight_that_holds_them(tmp_path):
    note = "Your Note on Location {} | Added on Monday, 7 August 2023 {}"
    text = "".join([
        clip(PIRANESI, "Your Highlight on Location 170-172 | Added on Monday, 7 August 2023 "
             "09:30:15", "first passage"),
        clip(PIRANESI, note.format(172, "09:31:00"), "my first thought"),
        clip(PIRANESI, "Your Highlight on Location 300-301 | Added on Monday, 7 August 2023 "
             "09:32:00", "second passage"),
        clip(PIRANESI, note.format(172, "09:33:00"), "my first thought, edited"),
        clip(PIRANESI, note.format(250, "09:34:00"), "a note on no passage"),
        clip("Another Book (Someone)", note.format(300, "09:35:00"), "a note in another book"),
        clip(PIRANESI, note.format(301, "09:36:00"), "line one\n==========\nline two"),
    ])
    export = read_clippings(tmp_path, text)
    assert export.problems == []
    piranesi = by_title(export)["Piranesi"]
    assert [(h.kind, h.text, h.note) for h in piranesi.highlights] == [
        ("highlight", "first passage", "my first thought, edited"),
        ("note", "", "a note on no passage"),
        ("highlight", "second passage", "line one\n==========\nline two"),
    ]
    [alone] = by_title(export)["Another Book"].highlights
    assert (alone.kind, alone.note, alone.location) == ("note", "a note in another book",
                                                         "Location 300")


def test_bookmarks_once_per_place(tmp_path):
    mark = "Your Bookmark on page 3 | Location {} | Added on Monday, 7 August 2023 0{}:00:00"
    export = read_clippings(tmp_path, clip(PIRANESI, mark.format(40, 1))
                            + clip(PIRANESI, mark.format(40, 2))
                            + clip(PIRANESI, mark.format(90, 3)))
    marks = export.items[0].highlights
    assert [(h.kind, h.text, h.location, h.created_at) for h in marks] == [
        ("bookmark", "", "Page 3 · Location 40", "2023-08-07T01:00:00+00:00"),
        ("bookmark", "", "Page 3 · Location 90", "2023-08-07T03:00:00+00:00"),
    ]


def test_pages_only_for_pdfs_and_roman_front_matter(tmp_path):
    at = "Your Highlight on page {} | Added on Monday, April 18, 2016 7:28:27 AM"
    export = read_clippings(tmp_path, clip("Guide.pdf", at.format("14-14"), "on fourteen")
                            + clip("Guide.pdf", at.format("xvi-xvi"), "in the preface")
                            + clip("Guide.pdf", "Your Note on page 14 | Added on Monday, "
                                   "April 18, 2016 7:29:00 AM", "noted"))
    [item] = export.items
    assert item.title == "Guide.pdf" and item.author == ""
    assert [(h.text, h.location, h.note) for h in item.highlights] == [
        ("in the preface", "Page xvi-xvi", ""), ("on fourteen", "Page 14-14", "noted")]
    assert item.highlights[0].order < 1 < item.highlights[1].order == 14.0


def test_keys_are_stable_and_survive_a_longer_file(tmp_path):
    old = (clip(PIRANESI, EN_HIGHLIGHT, "The Beauty of the House")
           + clip(PIRANESI, "Your Note on Location 172 | Added on Monday, 7 August 2023 "
                  "09:31:00", "lone? no: on the highlight")
           + clip("Dune (Herbert, Frank)", "Your Bookmark on Location 40 | Added on Monday, "
                  "7 August 2023 09:30:15"))
    newer = old + clip(PIRANESI, "Your Highlight on page 12 | Location 170-180 | Added on "
                       "Tuesday, 8 August 2023 10:00:00", "The Beauty of the House is "
                       "immeasurable") + clip("Dune (Herbert, Frank)", "Your Highlight on "
                                              "Location 50-51 | Added on Tuesday, 8 August "
                                              "2023 10:00:00", "Fear is the mind-killer.")
    keys = [{h.key for item in kindle_clippings.read(write(tmp_path, text, name=f"{i}.txt")).items
             for h in item.highlights} for i, text in enumerate([old, old, newer])]
    assert keys[0] == keys[1]
    assert keys[0] < keys[2] and len(keys[2]) == len(keys[0]) + 1
    items = [kindle_clippings.read(write(tmp_path, text, name=f"i{i}.txt")).items
             for i, text in enumerate([old, newer])]
    assert [i.key for i in items[0]] == [i.key for i in items[1]]
    assert len({i.key for i in items[0]}) == 2


def test_an_entry_in_an_unknown_language_is_a_problem(tmp_path):
    text = (clip(PIRANESI, EN_HIGHLIGHT, "kept")
            + clip("Война и мир (Толстой)", "Ваше выделение на странице 5 | позиция 10-12 | "
                   "Добавлено: понедельник, 7 августа 2023 г. в 9:30:15", "текст")
            + clip(PIRANESI, "Ihre Markierung bei Position 300-301 | Hinzugefügt am Montag, 7. "
                   "August 2023 09:30:15", "also kept"))
    export = read_clippings(tmp_path, text)
    assert [h.text for h in export.items[0].highlights] == ["kept", "also kept"]
    [problem] = export.problems
    assert problem.where == "line 7"
    assert problem.reason.startswith("the kind of clipping ('Ваше выделение на странице 5 | "
                                     "позиция 10-12') is not in a language Marginalia reads: "
                                     "English, German, French, Spanish")


def test_bad_entries_become_problems(tmp_path):
    text = (clip(PIRANESI, EN_HIGHLIGHT, "kept")
            + "just some words\nthat are not a clipping\n" + SEP + "\n"
            + clip(PIRANESI, "Your Highlight on page 50 | Location 700-702 | Added on "
                   "Wednesday, April 2, 2025 6:00:00 AM",
                   "<You have reached the clipping limit for this item>")
            + clip(PIRANESI, "Your Highlight on Location 800-801 | Added on Wednesday, "
                   "April 2, 2025 6:00:00 AM", "")
            + f"{BOM}{PIRANESI}\n- Your Highlight on Location 900")
    export = read_clippings(tmp_path, text)
    assert [h.text for h in export.items[0].highlights] == ["kept"]
    assert [(p.where, p.reason.split(" (")[0]) for p in export.problems] == [
        ("line 6", "is not a Kindle clipping"),
        ("line 9", "the highlight has no text"),
        ("line 14", "the highlight has no text"),
        ("line 19", "the file ends in the middle of a clipping"),
    ]


def test_a_byte_that_is_not_utf8_is_replaced_not_fatal(tmp_path):
    path = tmp_path / "My Clippings.txt"
    broken = clip(PIRANESI, EN_HIGHLIGHT.replace("170-172", "300-301"), "br@ken").encode()
    path.write_bytes(clip(PIRANESI, EN_HIGHLIGHT, "ok").encode() + broken.replace(b"@", b"\xff"))
    export = kindle_clippings.read(path)
    assert [h.text for h in export.items[0].highlights] == ["ok", "br\ufffdken"]
    assert [(p.where, p.reason) for p in export.problems] == [
        ("line 9", "has bytes that are not UTF-8 text; they are read as '\ufffd'")]


def test_unreadable_files_are_format_errors(tmp_path):
    with pytest.raises(FormatError, match="is empty"):
        read_clippings(tmp_path, "  \n")
    with pytest.raises(FormatError, match="holds no clippings"):
        read_clippings(tmp_path, "\n" + SEP + "\n\n" + SEP + "\n")
    with pytest.raises(FormatError, match="holds no clipping Marginalia can read .*line 2: "
                                          "the kind of clipping"):
        read_clippings(tmp_path, clip("Книга (Автор)", "Ваше выделение | Добавлено: 9:30:15"))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(FormatError, match="binary"):
        kindle_clippings.read(binary)


def test_reads_utf16_and_plain_line_ends(tmp_path):
    text = clip(PIRANESI, EN_HIGHLIGHT, "sixteen")
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16"))
    assert detects(kindle_clippings, path)
    assert kindle_clippings.read(path).items[0].highlights[0].text == "sixteen"
    assert read_clippings(tmp_path, text, crlf=False).items[0].highlights[0].text == "sixteen"


# ---------------------------------------------------------------- the notebook export

MOBILE = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
  "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" >
<html xmlns="http://www.w3.org/TR/1999/REC-html-in-xml" xml:lang="en" lang="en">
<head><meta charset="UTF-8"/><style type="text/css">
.noteHeading { font-size: 18px; } .highlight_yellow { color: rgb(247, 206, 0); }
</style><script type="text/javascript"></script><title></title></head>
<body>
<div class="bodyContainer">
<div class="notebookFor">
Notebook for
</div>
<div class="bookTitle">
On Writing: A Memoir of the Craft
</div>
<div class="authors">
King, Stephen
</div>
<div class="citation">

</div>
<hr />
<div class="sectionHeading">
Chapter 3 Toolbox
</div>
<div class="noteHeading">
Highlight (<span class="highlight_yellow">yellow</span>) -  Location 1445
</div>
<div class="noteText">
Good writing is often about letting go
of fear &amp; affectation.
</div>
<div class="noteHeading">
Note -  Location 1445
</div>
<div class="noteText">
Yes! Write what you want.
</div>
<div class="noteHeading">
Highlight (<span class="highlight_blue">blue</span>) - Chapter 4 &gt; Page 12 · Location 1,649
</div>
<div class="noteText">
If you don’t have time to read,<br/>you don’t have the time to write.
</div>
<div class="noteHeading">
Note - Page 30 · Location 2500
</div>
<div class="noteText">
A thought on no passage.
</div>
<div class="noteHeading">
Highlight (<span class="highlight_orange">orange</span>) - Page 31 · Location 2510
</div>
<div class="noteText">
Orange is kept as yellow.
</div>
<div class="noteHeading">
Highlight (<span class="highlight_pink">pink</span>) - Page 40 · Location 3000
</div>
<div class="noteText">
Pink with a far note.
</div>
<div class="noteHeading">
Note - Page 44 · Location 3300
</div>
<div class="noteText">
Far from the pink one.
</div>
</div>
</body>
</html>
"""

# The desktop app: headings in <h1>/<h2>/<h3> closed by the wrong tags, single quotes.
DESKTOP = """<?xml version='1.0' encoding='UTF-8' ?><!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN' 'XHTML1-s.dtd' ><html xmlns='http://www.w3.org/TR/1999/REC-html-in-xml' xml:lang='en' lang='en'><head><meta http-equiv='Content-Type' content='text/html; charset=UTF-8' /><title></title></head><body><div class='bodyContainer'><h1><div class='notebookFor'>Notes and highlights for</div><div class='bookTitle'>Piranesi
</div><div class='authors'>
Clarke, Susanna
</div></h1><hr />
<h2 class='sectionHeading'>Part 1</h2><h3 class='noteHeading'>Highlight (<span class='highlight_pink'>pink</span>) - Part 1 &gt; Page 12 &middot; Location 170</div><div class='noteText'>The Beauty of the House is immeasurable</h3>
<h3 class='noteHeading'>Note - Part 1 &gt; Page 12 &middot; Location 172</div><div class='noteText'>A note &lt;typed&gt; here</h3>
<h3 class='noteHeading'>Bookmark - Page 14 &middot; Location 200</div>
<h3 class='noteHeading'>Highlight (<span class='highlight_blue'>blue</span>) - Page 15 &middot; Location 210</div><div class='notebookGraphic'><img src='x.png' /></div>
<h3 class='noteHeading'>Выделение (<span>x</span>) - Location 220</div><div class='noteText'>unknown</h3>
<h3 class='noteHeading'>Highlight (<span class='highlight_yellow'>yellow</span>) - Page 16 &middot; Location 230</div><div class='noteText'>Last one</h3>
</div></body></html>
"""  # noqa: E501

LOCALISED = """<html><body>
<div class="bookTitle">金瓶梅</div><div class="authors">兰陵笑笑生</div>
<div class="sectionHeading">第一回</div>
<div class="noteHeading">标注(<span class="highlight_pink">粉色</span>) - 第 30 页·位置 434</div>
<div class="noteText">一朝马死黄金尽，亲者如同陌路人。</div>
<div class="noteHeading">笔记 - 第 30 页·位置 434</div>
<div class="noteText">好句</div>
<div class="noteHeading">ハイライト(ブルー) - 3.7 章 > ページ23 ·位置No.６０７</div>
<div class="noteText">本文</div>
<div class="noteHeading">メモ - 3.7 章 > ページ23 ·位置No.６０８</div>
<div class="noteText">本文のメモ</div>
<div class="noteHeading">メモ - ページ xii</div>
<div class="noteText">序文のメモ</div>
<div class="noteHeading">Notiz - Seite 5 · Position 77</div>
<div class="noteText">Eine Notiz</div>
</body></html>
"""


def write_html(tmp_path: Path, html: str, name: str = "Book-Notebook.html") -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def test_reads_the_mobile_apps_notebook(tmp_path):
    export = kindle_notebook.read(write_html(tmp_path, MOBILE))
    assert export.format == "kindle-html" and export.source == "Kindle"
    assert export.problems == []
    [item] = export.items
    assert (item.title, item.author, item.book) == ("On Writing: A Memoir of the Craft",
                                                    "Stephen King", True)
    got = [(h.kind, h.text, h.note, h.colour, h.location, h.order) for h in item.highlights]
    assert got == [
        ("highlight", "Good writing is often about letting go of fear & affectation.",
         "Yes! Write what you want.", "yellow", "Location 1445", 1445.0),
        ("highlight", "If you don’t have time to read,\nyou don’t have the time to write.", "",
         "blue", "Page 12 · Location 1649", 1649.0),
        ("note", "", "A thought on no passage.", None, "Page 30 · Location 2500", 2500.0),
        ("highlight", "Orange is kept as yellow.", "", "yellow", "Page 31 · Location 2510",
         2510.0),
        ("highlight", "Pink with a far note.", "", "pink", "Page 40 · Location 3000", 3000.0),
        ("note", "", "Far from the pink one.", None, "Page 44 · Location 3300", 3300.0),
    ]
    assert all(h.created_at is None for h in item.highlights)


def test_reads_the_desktop_apps_mismatched_tags(tmp_path):
    export = kindle_notebook.read(write_html(tmp_path, DESKTOP))
    [item] = export.items
    assert (item.title, item.author) == ("Piranesi", "Susanna Clarke")
    assert [(h.kind, h.text, h.note, h.colour, h.location) for h in item.highlights] == [
        ("highlight", "The Beauty of the House is immeasurable", "A note <typed> here", "pink",
         "Page 12 · Location 170"),
        ("bookmark", "", "", None, "Page 14 · Location 200"),
        ("highlight", "Last one", "", "yellow", "Page 16 · Location 230"),
    ]
    assert [(p.where, p.reason.split(" (")[0]) for p in export.problems] == [
        ("line 8", "the highlight is a picture, which the export does not carry"),
        ("line 9", "the kind of note"),
    ]
    assert "is not in a language Marginalia reads" in export.problems[1].reason


def test_reads_localised_headings(tmp_path):
    [item] = kindle_notebook.read(write_html(tmp_path, LOCALISED)).items
    assert (item.title, item.author) == ("金瓶梅", "兰陵笑笑生")
    assert [(h.kind, h.text, h.note, h.colour, h.location) for h in item.highlights] == [
        ("highlight", "一朝马死黄金尽，亲者如同陌路人。", "好句", "pink", "Page 30 · Location 434"),
        ("highlight", "本文", "本文のメモ", "blue", "Page 23 · Location 607"),
        ("note", "", "序文のメモ", None, "Page xii"),
        ("note", "", "Eine Notiz", None, "Page 5 · Location 77"),
    ]


def test_notebook_keys_are_stable_and_match_the_clippings_book(tmp_path):
    first = kindle_notebook.read(write_html(tmp_path, MOBILE, "a.html"))
    again = kindle_notebook.read(write_html(tmp_path, MOBILE, "b.html"))
    assert [h.key for h in first.items[0].highlights] == [
        h.key for h in again.items[0].highlights]
    assert len({h.key for h in first.items[0].highlights}) == 6
    clippings = read_clippings(tmp_path, clip("On Writing: A Memoir of the Craft (King, "
                                              "Stephen)", EN_HIGHLIGHT, "x"))
    assert clippings.items[0].key == first.items[0].key
    desktop = kindle_notebook.read(write_html(tmp_path, DESKTOP))
    piranesi = read_clippings(tmp_path, clip(PIRANESI, "Your Highlight on page 12 | Location "
                                             "170-171 | Added on Monday, 7 August 2023 "
                                             "09:30:15", "The Beauty of the House is "
                                             "immeasurable"))
    assert desktop.items[0].key == piranesi.items[0].key
    # The same passage at the same place has the same key from either file.
    assert desktop.items[0].highlights[0].key == piranesi.items[0].highlights[0].key


def test_notebook_without_a_title_takes_the_file_name(tmp_path):
    html = ('<div class="noteHeading">Highlight (<span class="highlight_yellow">yellow</span>)'
            ' - Location 5</div><div class="noteText">text</div>')
    export = kindle_notebook.read(write_html(tmp_path, html, "Deep Work-Notebook.html"))
    assert export.items[0].title == "Deep Work"
    assert [p.where for p in export.problems] == ["the notebook"]


def test_unreadable_notebooks_are_format_errors(tmp_path):
    with pytest.raises(FormatError, match="holds no highlights or notes"):
        kindle_notebook.read(write_html(tmp_path, '<div class="bookTitle">Book</div>'))
    with pytest.raises(FormatError, match="holds no highlight or note Marginalia can read "
                                          r"\(the first problem: line 1: the kind"):
        kindle_notebook.read(write_html(tmp_path, '<div class="bookTitle">B</div>'
                                                  '<div class="noteHeading">Выделение - 5</div>'
                                                  '<div class="noteText">t</div>'))
    with pytest.raises(FormatError, match="is empty"):
        kindle_notebook.read(write_html(tmp_path, ""))


# ---------------------------------------------------------------- detection

OTHERS = {
    "readwise.csv": "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,"
                    "Location Type,Location,Highlighted at,Document tags\n"
                    '"The text",Piranesi,Susanna Clarke,B08,,yellow,,location,170,'
                    "2023-08-07 09:30:15+00:00,\n",
    "instapaper.csv": "URL,Title,Selection,Folder,Timestamp\nhttps://a.example/,A,,Unread,"
                      "1690000000\n",
    "hypothesis.json": '[{"id": "abc", "uri": "https://a.example/", "text": "",'
                       ' "target": [{"selector": []}]}]',
    "data.json": '{"rows": [1, 2, 3], "name": "==========" }',
    "article.md": "Heading\n==========\n\nSome text with - Your Highlight | 12:30 in it.\n\n"
                  "Other\n==========\n",
    "list.md": "Plan\n- item one | at 10:30\n\nmore\n==========\n",
    "readwise.md": "# Piranesi\n\n![](cover.jpg)\n\n### Metadata\n- Author: Susanna Clarke\n"
                   "- Full Title: Piranesi\n\n### Highlights\n- The Beauty of the House "
                   "(Location 170)\n",
    "page.html": "<html><head><title>An article</title></head><body><div class='note'>"
                 "<h1 class='bookTitle'>Not a notebook</h1><p class='noteText'>x</p></div>"
                 "</body></html>",
    "koreader.lua": 'return {\n  ["highlight"] = { [12] = { [1] = { ["text"] = "x" } } }\n}\n',
}


@pytest.mark.parametrize("name", sorted(OTHERS))
def test_neither_claims_other_files(tmp_path, name):
    path = write_html(tmp_path, OTHERS[name], name)
    assert not detects(kindle_clippings, path)
    assert not detects(kindle_notebook, path)


def test_each_detects_its_own_and_not_the_other(tmp_path):
    clippings = write(tmp_path, clip(PIRANESI, EN_HIGHLIGHT, "x")
                      + clip(PIRANESI, "Your Bookmark on Location 40 | Added on Monday, 7 "
                             "August 2023 09:30:15"))
    chinese = write(tmp_path, clip("飘 (米切尔)", "您在位置 #2543-2544的标注 | 添加于 "
                                   "2023年2月9日星期四 下午6:35:21", "梅"), name="zh.txt",
                    crlf=False)
    bookmark_first = write(tmp_path, clip(PIRANESI, "Your Bookmark on Location 40 | Added on "
                                          "Monday, 7 August 2023 09:30:15"), name="b.txt")
    unknown_language = write(tmp_path, clip("Книга (Автор)", "Ваше выделение на странице 5 | "
                                            "Добавлено: понедельник, 7 августа 2023 г. в "
                                            "9:30:15", "т"), name="ru.txt")
    for path in (clippings, chinese, bookmark_first, unknown_language):
        assert detects(kindle_clippings, path), path.name
        assert not detects(kindle_notebook, path), path.name
    for html in (MOBILE, DESKTOP, LOCALISED):
        path = write_html(tmp_path, html)
        assert detects(kindle_notebook, path)
        assert not detects(kindle_clippings, path)


def test_detection_never_raises(tmp_path):
    path = tmp_path / "odd.bin"
    path.write_bytes(b"\xff\xfe" + b"\x00\xd8" * 10)
    for head in (b"", b"\x00" * 100, b"\xff\xfe\x00", "=\n".encode() * 50_000):
        assert kindle_clippings.detect(path, head) is False
        assert kindle_notebook.detect(path, head) is False


def test_old_notebooks_with_the_colour_as_a_word(tmp_path):
    html = ('<div class="bookTitle">Old</div><div class="authors">Someone</div>'
            '<div class="noteHeading">Highlight (yellow) - Location 590</div>'
            '<div class="noteText">plain yellow</div>'
            '<div class="noteHeading">Highlight(Blue) - Page 3 · Location 600</div>'
            '<div class="noteText">plain blue'
            '<div class="noteHeading">ハイライト(オレンジ) - 位置No. 610</div>'
            '<div class="noteText">オレンジ</div>'
            '<div class="noteHeading">Markierung (gelb) - Seite 4 · Position 620</div>'
            '<div class="noteText">gelb')  # unclosed tags to the end
    [item] = kindle_notebook.read(write_html(tmp_path, html)).items
    assert [(h.text, h.colour, h.order) for h in item.highlights] == [
        ("plain yellow", "yellow", 590.0), ("plain blue", "blue", 600.0),
        ("オレンジ", "yellow", 610.0), ("gelb", "yellow", 620.0)]


def test_clipped_articles_are_highlights(tmp_path):
    [item] = read_clippings(tmp_path, clip("News (Paper)", "Clip This Article Location 1-20 | "
                                           "Added on Monday, 7 August 2023 09:30:15",
                                           "The whole article.")).items
    assert [(h.kind, h.text, h.location) for h in item.highlights] == [
        ("highlight", "The whole article.", "Location 1-20")]
