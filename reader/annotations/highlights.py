"""Highlights: create, recolour, tag, annotate, delete, re-anchor and re-attach them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from peewee import DatabaseError

from reader import reads
from reader.annotations import anchoring
from reader.annotations.colours import DEFAULT_COLOUR, check
from reader.annotations.tags import TagManager
from reader.annotations.tags import normalise as normalise_tag
from reader.annotations.undo import State, UndoStack
from reader.document.textnav import trim
from reader.records import Changes, HighlightRecord, NoteSaved, NoteVersion
from reader.storage.database import LibraryError, Storage, utc_now


class HighlightManager:
    """The highlights of every article. Each change is its own transaction and can be undone."""

    def __init__(self, store: Storage, tags: TagManager, undo: UndoStack) -> None:
        self._store = store
        self._m = store.models
        self._tags = tags
        self._undo = undo

    # --- who is reading ----------------------------------------------------------------
    @property
    def reader(self) -> str:
        """The reader writing through this library, as highlights' `author` and notes'
        writers name them: their role on PostgreSQL, "" in a personal file."""
        return self._store.current_reader()

    @property
    def is_team(self) -> bool:
        """Whether this is a team library, whose highlights have authors and may be
        private (PostgreSQL after `marginalia team init`)."""
        return self._store.team_group() is not None

    # --- reading -----------------------------------------------------------------------
    def for_article(self, article_id: int, author: str | None = None) -> list[HighlightRecord]:
        """The article's highlights in reading order; orphaned ones last. With `author`,
        only that reader's (`self.reader` for one's own); None: everyone's."""
        found = self.for_articles([article_id]).get(article_id, [])
        return [record for record in found if written_by(record, author)]

    def for_articles(self, article_ids: list[int]) -> dict[int, list[HighlightRecord]]:
        """Each article's highlights in reading order, in a few queries for many articles
        (see reader.reads.highlights_for_articles)."""
        return reads.highlights_for_articles(self._store.rows, article_ids, self._columns())

    def authors(self, article_id: int) -> list[str]:
        """The readers who made the article's highlights (those one may see), by name;
        [] in a personal library, where there is only ever oneself."""
        if not self.is_team:
            return []
        return sorted({record.author for record in self.for_article(article_id)},
                      key=str.casefold)

    def records(self, highlight_ids: list[int]) -> list[HighlightRecord]:
        """The records of these highlights, in the order given (unknown ids left out); a
        few queries for thousands, as for a list of highlights across the library."""
        return reads.highlight_records(self._store.rows, highlight_ids, self._columns())

    def get(self, highlight_id: int) -> HighlightRecord:
        found = self.records([highlight_id])
        if not found:
            raise LibraryError(f"There is no highlight with id {highlight_id}.")
        return found[0]

    def note_history(self, highlight_id: int) -> list[NoteVersion]:
        """The earlier versions of the highlight's note that later saves replaced, the
        newest first ([] for most notes). On a team library, only for a highlight one
        may see; a team library set up by an earlier version says it needs `team init`."""
        outdated = self._store.team_outdated()
        if outdated is not None:
            raise LibraryError(outdated)
        return [NoteVersion(*row) for row in self._store.rows(
            "SELECT id, highlight_id, note, written_by, written_at, replaced_by, replaced_at"
            " FROM note_history WHERE highlight_id = ? ORDER BY id DESC", (highlight_id,))]

    def counts(self) -> dict[int, int]:
        """Number of highlights of each article that has any."""
        return reads.highlight_counts(self._store.rows)

    def count(self, article_id: int | None = None) -> int:
        query = self._m.Highlight.select()
        if article_id is not None:
            query = query.where(self._m.Highlight.article == article_id)
        return query.count()

    # --- changing ----------------------------------------------------------------------
    def create(self, article_id: int, start: int, end: int, colour: str = DEFAULT_COLOUR) -> Changes:
        """Highlight text[start:end] of the article's canonical text (code-point offsets)."""
        check(colour)
        text = self._article_text(article_id)
        selector = _selector(text, start, end)
        with self._store.write():
            row = self._m.Highlight.create(
                article=article_id, start=selector.start, end=selector.end, exact=selector.exact,
                prefix=selector.prefix, suffix=selector.suffix, colour=colour,
            )
            # Read before the commit: once it is committed, nothing may fail and make a
            # saved highlight look unsaved (a connection lost right after, say).
            snapshot = self.snapshot(row.id)
            self._undo.push("Highlight", lambda: self._remove(row.id),
                            lambda: self.restore(snapshot),
                            self._state([row.id], *CONTENT, articles=[article_id]))
        return _changed(article_id, row.id)

    def create_many(self, spans: Iterable[tuple[int, int, int, str, str, Iterable[str]]],
                    batch: int = 1000) -> int:
        """Create many highlights at once, (article_id, start, end, colour, note, tags) each,
        one transaction per batch and without undo entries; for bulk loads. Returns the count."""
        texts: dict[int, str] = {}
        count = 0
        rows = iter(spans)
        while True:
            chunk = [row for _, row in zip(range(batch), rows)]
            if not chunk:
                return count
            with self._store.write():
                for article_id, start, end, colour, note, tags in chunk:
                    if article_id not in texts:
                        texts = {article_id: self._article_text(article_id)}  # one article at a time
                    selector = _selector(texts[article_id], start, end)
                    highlight_id = self._m.Highlight.insert(
                        article=article_id, start=selector.start, end=selector.end,
                        exact=selector.exact, prefix=selector.prefix, suffix=selector.suffix,
                        colour=check(colour), note=note, created_at=utc_now(),
                        updated_at=utc_now()).execute()
                    for tag in self._tags.ensure(tags):
                        self._m.HighlightTag.insert(highlight=highlight_id, tag=tag).execute()
                    count += 1

    def recolour(self, highlight_id: int, colour: str) -> Changes:
        check(colour)
        return self._update(highlight_id, "Change colour", colour=colour)

    def set_note(self, highlight_id: int, note: str, based_on: str | None = None) -> NoteSaved:
        """Save the highlight's note; the later save wins. `based_on`: the stored text the
        editor last saw (loaded or saved), when the caller knows it.

        The version it replaces goes into the note's history when someone else wrote it
        or when it is not the text the editor was based on (it changed meanwhile: a
        conflict, which the result says). One's own saves of an unchanged note, as an
        editor saving while one types, keep no history. Undo puts the replaced version
        back, with its writer, and takes it out of the history again."""
        note = note.rstrip()
        me = self.reader
        with self._store.write():
            found = self._store.rows(
                "SELECT article_id, note, note_by, updated_at FROM highlight WHERE id = ?"
                + self._store.row_lock, (highlight_id,))
            if not found:
                raise LibraryError(f"There is no highlight with id {highlight_id}.")
            article_id, stored, stored_by, stored_at = found[0]
            conflict = based_on is not None and based_on.rstrip() != stored.rstrip()
            by_someone_else = stored_by not in ("", me)
            kept = None
            if stored.strip() and note != stored.rstrip() and (conflict or by_someone_else):
                outdated = self._store.team_outdated()
                if outdated is not None:  # the version would be readable by everyone
                    raise LibraryError(outdated)
                kept = self._keep_version(NoteVersion(
                    0, highlight_id, stored, stored_by, stored_at, me, utc_now()))
            self._write_note(highlight_id, note, me)
            kept_id = [kept.id if kept else None]

            def undo() -> Changes:
                with self._store.write():
                    self._write_note(highlight_id, stored, stored_by)
                    if kept_id[0] is not None:
                        self._store.run("DELETE FROM note_history WHERE id = ?", (kept_id[0],))
                return _changed(article_id, highlight_id)

            def redo() -> Changes:
                with self._store.write():
                    self._write_note(highlight_id, note, me)
                    if kept is not None:
                        kept_id[0] = self._keep_version(kept).id
                return _changed(article_id, highlight_id)

            self._undo.push("Edit note", undo, redo,
                            self._state([highlight_id], "note", tags=False))
        return NoteSaved(highlights=frozenset({article_id}), highlight_id=highlight_id,
                         kept=kept, conflict=conflict and kept is not None)

    def set_private(self, highlight_id: int, private: bool) -> Changes:
        """Make one's own highlight private (only its author sees it, its note and the
        note's history with it) or shared with the team again; team libraries only, and
        the library itself refuses it to anyone but the author."""
        if not self.is_team:
            raise LibraryError("Only a highlight in a team library can be private: a "
                               "personal library is seen by no one else anyway.")
        record = self.get(highlight_id)
        if record.private == private:
            return Changes()
        word = "private" if private else "shared"

        def write(value: bool) -> Changes:
            try:
                with self._store.write():
                    done = self._store.run(
                        "UPDATE highlight SET private = ?, updated_at = ? WHERE id = ?",
                        (value, utc_now(), highlight_id)).rowcount
            except DatabaseError as exc:
                if not self._store.refused(exc):
                    raise
                raise LibraryError(
                    f"This highlight is {record.author}'s: only its author can make it "
                    f"{word} (the library refuses it to anyone else).") from None
            if not done:
                raise LibraryError(f"There is no highlight with id {highlight_id}.")
            return _changed(record.article_id, highlight_id)

        changes = write(private)
        self._undo.push(f"Make highlight {word}", lambda: write(not private),
                        lambda: write(private), self._state([highlight_id], "private",
                                                            tags=False))
        return changes

    def set_tags(self, highlight_id: int, names: Iterable[str]) -> Changes:
        """Replace the highlight's tags (new names become tags; unused tags are dropped)."""
        names = list(names)
        with self._store.write():
            before = self.get(highlight_id)
            changes = self._apply_tags(highlight_id, names)
            self._undo.push("Tag highlight", lambda: self._apply_tags(highlight_id, before.tags),
                            lambda: self._apply_tags(highlight_id, names),
                            self._state([highlight_id]))
        return changes

    def delete(self, highlight_id: int) -> Changes:
        with self._store.write():
            snapshot = self.snapshot(highlight_id)
            changes = self._remove(highlight_id)
            self._undo.push("Delete highlight", lambda: self.restore(snapshot),
                            lambda: self._remove(highlight_id),
                            self._state([highlight_id], *CONTENT, articles=[snapshot["article"]]))
        return changes

    # --- changing many at once (the highlights view's selection) -----------------------
    # Each reads what it changes and changes it in one transaction, and is one undo
    # step however many highlights it touches. Ids that no longer exist are left out;
    # with nothing to change, nothing is written and no undo step is kept.
    def recolour_many(self, highlight_ids: Iterable[int], colour: str) -> Changes:
        """Give these highlights one colour; undo gives each its own colour back."""
        check(colour)
        with self._store.write():
            before = self._column_values(highlight_ids, "colour", "updated_at")
            now = utc_now()
            after = {hid: (article, colour, now) for hid, (article, _c, _u) in before.items()}
            self._set_colours(after)
            if not before:
                return Changes()
            articles = frozenset(article for article, _colour, _updated in before.values())

            def write(values: dict[int, tuple[Any, ...]]) -> Changes:
                with self._store.write():
                    self._set_colours(values)
                return Changes(highlights=articles)

            self._undo.push(f"Change colour of {_count(len(before))}",
                            lambda: write(before), lambda: write(after),
                            self._state(before, "colour", tags=False))
        return Changes(highlights=articles)

    def tag_many(self, highlight_ids: Iterable[int], add: Iterable[str] = (),
                 remove: Iterable[str] = ()) -> Changes:
        """Add tags to these highlights and take others off (a tag named in both is
        added); their other tags stay. Tags no longer used are dropped, as always."""
        adding: list[str] = []
        for name in map(normalise_tag, add):
            if name and name.casefold() not in {n.casefold() for n in adding}:
                adding.append(name)
        removing = {normalise_tag(n).casefold() for n in remove} - {""} \
            - {n.casefold() for n in adding}
        with self._store.write():
            before = self._column_values(highlight_ids)
            had = self._tag_names(list(before))
            linked: list[tuple[int, str]] = []
            unlinked: list[tuple[int, str]] = []
            for hid in before:
                own = {name.casefold(): name for name in had.get(hid, ())}
                linked += [(hid, name) for name in adding if name.casefold() not in own]
                unlinked += [(hid, name) for key, name in own.items() if key in removing]
            self._relink(linked, unlinked)
            if not (linked or unlinked):
                return Changes()
            articles = frozenset(before[hid][0] for hid, _name in linked + unlinked)
            touched = list(dict.fromkeys(hid for hid, _name in linked + unlinked))

            def relink(links: list[tuple[int, str]], unlinks: list[tuple[int, str]]) -> Changes:
                with self._store.write():
                    self._relink(links, unlinks)
                return Changes(tags=True, highlights=articles)

            self._undo.push(f"Tag {_count(len(touched))}",
                            lambda: relink(unlinked, linked), lambda: relink(linked, unlinked),
                            self._state(touched))
        return Changes(tags=True, highlights=articles)

    def delete_many(self, highlight_ids: Iterable[int]) -> Changes:
        """Delete these highlights; undo puts every one back as it was (same ids, notes,
        tags, dates)."""
        with self._store.write():
            snapshots = self._snapshots(highlight_ids)
            ids = [snapshot["id"] for snapshot in snapshots]
            self._remove_many(ids)
            if not snapshots:
                return Changes()
            articles = frozenset(snapshot["article"] for snapshot in snapshots)

            def remove() -> Changes:
                with self._store.write():
                    self._remove_many(ids)
                return Changes(tags=True, highlights=articles)

            def restore() -> Changes:
                with self._store.write():
                    self._restore_many(snapshots)
                return Changes(tags=True, highlights=articles)

            self._undo.push(f"Delete {_count(len(ids))}", restore, remove,
                            self._state(ids, *CONTENT, articles=articles))
        return Changes(tags=True, highlights=articles)

    def reattach(self, highlight_id: int, start: int, end: int) -> Changes:
        """Place a (typically orphaned) highlight on a new passage of its article."""
        row = self._row(highlight_id)
        selector = _selector(self._article_text(row.article_id), start, end)
        return self._update(highlight_id, "Re-attach highlight", start=selector.start,
                            end=selector.end, exact=selector.exact, prefix=selector.prefix,
                            suffix=selector.suffix, orphaned=False)

    def reanchor(self, article_id: int, new_text: str,
                 revision_id: int | None = None) -> list[int]:
        """Place the article's highlights in its new text; returns the ids left orphaned.

        Runs inside the caller's transaction, together with the text change. With
        `revision_id` (the revision that kept the text being replaced), each highlight
        placed in the old text whose passage is not found word for word in the new one
        is marked as changed in that revision, with its old wording in `previous_exact`:
        found approximately (moved, its words edited) or not at all (orphaned; its words
        stay readable in the revision). Found exactly (at its place or elsewhere), it is
        unchanged and not marked; a mark it already had is kept, as the history of the
        passage (an edit later undone by the page still happened). A highlight already
        orphaned before keeps the mark it had: its words were not in the replaced text.
        """
        orphaned = []
        m = self._m
        for row in m.Highlight.select().where(m.Highlight.article == article_id):
            found = anchoring.anchor(new_text, anchoring.TextSelector(
                row.start, row.end, row.exact, row.prefix, row.suffix))
            changed: dict[str, Any] = {}
            if (revision_id is not None and not row.orphaned
                    and (found is None or found.method == "fuzzy")):
                changed = {"changed_in": revision_id, "previous_exact": row.exact}
            if found is None:
                m.Highlight.update(orphaned=True, **changed).where(
                    m.Highlight.id == row.id).execute()
                orphaned.append(row.id)
                continue
            fresh = anchoring.describe(new_text, found.start, found.end)
            m.Highlight.update(start=fresh.start, end=fresh.end, exact=fresh.exact,
                               prefix=fresh.prefix, suffix=fresh.suffix, orphaned=False,
                               **changed).where(m.Highlight.id == row.id).execute()
        return orphaned

    # --- internals ---------------------------------------------------------------------
    def _columns(self) -> str:
        return reads.TEAM_HIGHLIGHT_COLUMNS_SQL if self.is_team else reads.HIGHLIGHT_COLUMNS_SQL

    def _write_note(self, highlight_id: int, note: str, writer: str) -> None:
        """Store a note and who wrote it, inside the caller's write."""
        self._store.run("UPDATE highlight SET note = ?, note_by = ?, updated_at = ? WHERE id = ?",
                        (note, writer, utc_now(), highlight_id))

    def _keep_version(self, version: NoteVersion) -> NoteVersion:
        """Add a replaced version to its note's history, inside the caller's write; it
        comes back with its id."""
        new_id = self._m.NoteHistory.insert(
            highlight=version.highlight_id, note=version.note, written_by=version.written_by,
            written_at=version.written_at, replaced_by=version.replaced_by,
            replaced_at=version.replaced_at).execute()
        return dataclasses.replace(version, id=new_id)

    def _update(self, highlight_id: int, label: str, **fields: Any) -> Changes:
        row = self._row(highlight_id)
        before = {name: getattr(row, name) for name in fields}

        def write(values: dict[str, Any]) -> Changes:
            with self._store.write():
                self._m.Highlight.update(updated_at=utc_now(), **values).where(
                    self._m.Highlight.id == highlight_id).execute()
            return _changed(row.article_id, highlight_id)

        with self._store.write():
            changes = write(fields)
            self._undo.push(label, lambda: write(before), lambda: write(fields),
                            self._state([highlight_id], *fields, tags=False))
        return changes

    def _apply_tags(self, highlight_id: int, names: Iterable[str]) -> Changes:
        row = self._row(highlight_id)
        with self._store.write():
            links = self._m.HighlightTag
            links.delete().where(links.highlight == highlight_id).execute()
            for tag in self._tags.ensure(names):
                links.insert(highlight=highlight_id, tag=tag).on_conflict_ignore().execute()
            self._tags.prune()
        changes = _changed(row.article_id, highlight_id)
        return Changes(changes.articles, tags=True, highlights=changes.highlights,
                       highlight_id=highlight_id)

    def _state(self, highlight_ids: Iterable[int], *columns: str, tags: bool = True,
                articles: Iterable[int] = ()) -> State:
        """What undo compares before it reverts an action on these highlights (see
        reader.annotations.undo): each one's `columns` and tags (names compared without
        case: a tag renamed to another case is the same tag), None for one that no
        longer exists; and which of `articles` still exist (a highlight put back needs
        its article). Not `updated_at`: this process's own undo sets it anew."""
        ids = list(dict.fromkeys(highlight_ids))
        article_ids = sorted(set(articles))

        def state() -> Any:
            rows = self._column_values(ids, *columns)
            names = self._tag_names(list(rows)) if tags else {}
            found = tuple((hid, rows.get(hid), tuple(n.casefold() for n in names.get(hid, ()))
                           if tags and hid in rows else None) for hid in ids)
            return found, self._existing_articles(article_ids)

        return state

    def _existing_articles(self, article_ids: list[int]) -> tuple[int, ...]:
        found: set[int] = set()
        for chunk in _chunks(article_ids):
            found.update(row[0] for row in self._store.rows(
                f"SELECT id FROM article WHERE id IN ({_marks(chunk)})", chunk))
        return tuple(sorted(found))

    def snapshot(self, highlight_id: int) -> dict[str, Any]:
        """Everything about a highlight, for undo to put it back exactly (same id), its
        note's history and (on a team library) its privacy included."""
        row = self._row(highlight_id)
        data = {field: getattr(row, field) for field in self._m.Highlight._meta.fields
                if field != "article"}
        data["article"] = row.article_id
        data["tags"] = self._tag_names([highlight_id]).get(highlight_id, ())
        data.update(self._extras([highlight_id])[highlight_id])
        return data

    def restore(self, snapshot: dict[str, Any]) -> Changes:
        """Put back a highlight taken by `snapshot` (no undo entry: undo itself calls this)."""
        with self._store.write():
            self._m.Highlight.insert(**_columns_of(snapshot)).execute()
            for tag in self._tags.ensure(snapshot["tags"]):
                self._m.HighlightTag.insert(highlight=snapshot["id"], tag=tag).execute()
            self._put_back_extras([snapshot])
        return Changes(tags=bool(snapshot["tags"]), highlights=frozenset({snapshot["article"]}),
                       highlight_id=snapshot["id"])

    def _remove(self, highlight_id: int) -> Changes:
        row = self._row(highlight_id)
        with self._store.write():
            row.delete_instance()
            self._tags.prune()
        return Changes(tags=True, highlights=frozenset({row.article_id}))

    def _column_values(self, highlight_ids: Iterable[int],
                       *columns: str) -> dict[int, tuple[Any, ...]]:
        """(article id, *columns) of each of these highlights that exists, by id, in the
        order given (duplicates once)."""
        ids = list(dict.fromkeys(highlight_ids))
        found: dict[int, tuple[Any, ...]] = {}
        # Quoted: `end` is a reserved word in PostgreSQL.
        selected = ", ".join(f'"{name}"' for name in ["id", "article_id", *columns])
        # Locked to the end of the transaction on PostgreSQL (`row_lock`): undo reads them
        # to see that no one changed them since, and no one may between that and its write.
        for chunk in _chunks(ids):
            for row in self._store.rows(
                    f"SELECT {selected} FROM highlight WHERE id IN ({_marks(chunk)})"
                    + self._store.row_lock, chunk):
                found[row[0]] = tuple(row[1:])
        return {hid: found[hid] for hid in ids if hid in found}

    def _snapshots(self, highlight_ids: Iterable[int]) -> list[dict[str, Any]]:
        """`snapshot` of each of these highlights that exists, in a few queries."""
        ids = list(dict.fromkeys(highlight_ids))
        m = self._m
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(ids):
            for row in m.Highlight.select().where(m.Highlight.id.in_(chunk)).dicts():
                found[row["id"]] = row
        tags = self._tag_names(list(found))
        extras = self._extras(list(found))
        for hid, row in found.items():
            row["tags"] = tags.get(hid, ())
            row.update(extras[hid])
        return [found[hid] for hid in ids if hid in found]

    def _set_colours(self, values: dict[int, tuple[Any, ...]]) -> None:
        """Each highlight's (article, colour, updated_at), inside the caller's write."""
        self._store.run_many(
            "UPDATE highlight SET colour = ?, updated_at = ? WHERE id = ?",
            [(colour, updated, hid) for hid, (_article, colour, updated) in values.items()])

    def _remove_many(self, ids: list[int]) -> None:
        for chunk in _chunks(ids):
            self._store.run(
                f"DELETE FROM highlight WHERE id IN ({_marks(chunk)})", chunk)
        if ids:
            self._tags.prune()

    def _restore_many(self, snapshots: list[dict[str, Any]]) -> None:
        """Put back highlights taken by `snapshot`, inside the caller's write: rows in
        batches, then their tags (as `restore` does one by one)."""
        rows = [_columns_of(snapshot) for snapshot in snapshots]
        per_row = max(1, len(rows[0])) if rows else 1
        batch = max(1, 900 // per_row)  # under SQLite's oldest limit of 999 variables
        for start in range(0, len(rows), batch):
            self._m.Highlight.insert_many(rows[start:start + batch]).execute()
        self._relink([(s["id"], name) for s in snapshots for name in s["tags"]], [])
        self._put_back_extras(snapshots)

    def _extras(self, highlight_ids: list[int]) -> dict[int, dict[str, Any]]:
        """What a snapshot holds beyond the highlight's own columns: its note's history,
        and on a team library whether it is private (a column the models do not have)."""
        extras: dict[int, dict[str, Any]] = {hid: {"history": []} for hid in highlight_ids}
        # An outdated team set-up may not let its readers at the history (see note_history).
        history = self._store.team_outdated() is None
        for chunk in _chunks(highlight_ids):
            versions = self._store.rows(
                "SELECT highlight_id, note, written_by, written_at, replaced_by, replaced_at"
                f" FROM note_history WHERE highlight_id IN ({_marks(chunk)}) ORDER BY id",
                chunk) if history else []
            for row in versions:
                extras[row[0]]["history"].append(row[1:])
            if self.is_team:
                for hid, private in self._store.rows(
                        f"SELECT id, private FROM highlight WHERE id IN ({_marks(chunk)})",
                        chunk):
                    extras[hid]["private"] = bool(private)
        return extras

    def _put_back_extras(self, snapshots: list[dict[str, Any]]) -> None:
        """The history and privacy of restored highlights, inside the caller's write."""
        versions = [(s["id"], *version) for s in snapshots for version in s.get("history", ())]
        if versions:
            self._store.run_many(
                "INSERT INTO note_history (highlight_id, note, written_by, written_at,"
                " replaced_by, replaced_at) VALUES (?, ?, ?, ?, ?, ?)", versions)
        private = [(True, s["id"]) for s in snapshots if s.get("private")]
        if private:  # a team library's column: never in a snapshot of any other
            self._store.run_many("UPDATE highlight SET private = ? WHERE id = ?", private)

    def _relink(self, adding: list[tuple[int, str]], removing: list[tuple[int, str]]) -> None:
        """Link and unlink (highlight id, tag name) pairs, inside the caller's write."""
        if not (adding or removing):
            return
        if removing:
            names = {name.casefold(): name for _hid, name in removing}
            ids = dict(zip(names, self._tags.ensure(names.values())))
            self._store.run_many(
                "DELETE FROM highlight_tag WHERE highlight_id = ? AND tag_id = ?",
                [(hid, ids[name.casefold()]) for hid, name in removing])
        if adding:
            names = {name.casefold(): name for _hid, name in adding}
            ids = dict(zip(names, self._tags.ensure(names.values())))
            self._store.run_many(
                "INSERT OR IGNORE INTO highlight_tag (highlight_id, tag_id) VALUES (?, ?)",
                [(hid, ids[name.casefold()]) for hid, name in adding])
        self._tags.prune()

    def _row(self, highlight_id: int) -> Any:
        row = self._m.Highlight.get_or_none(self._m.Highlight.id == highlight_id)
        if row is None:
            raise LibraryError(f"There is no highlight with id {highlight_id}.")
        return row

    def _tag_names(self, highlight_ids: list[int]) -> dict[int, tuple[str, ...]]:
        names: dict[int, list[str]] = {}
        if not highlight_ids:
            return {}
        m = self._m
        query = (m.HighlightTag.select(m.HighlightTag.highlight, m.Tag.name).join(m.Tag)
                 .where(m.HighlightTag.highlight.in_(highlight_ids)).order_by(m.Tag.name.caseless()).tuples())
        for highlight_id, name in query:
            names.setdefault(highlight_id, []).append(name)
        return {k: tuple(v) for k, v in names.items()}

    def _article_text(self, article_id: int) -> str:
        row = self._store.rows("SELECT text FROM article WHERE id = ?", (article_id,))
        if not row:
            raise LibraryError(f"There is no article with id {article_id}.")
        return row[0][0]


_SNAPSHOT_EXTRAS = ("tags", "history", "private")


def _columns_of(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's values for the highlight's own row."""
    return {k: v for k, v in snapshot.items() if k not in _SNAPSHOT_EXTRAS}


def written_by(record: HighlightRecord, author: str | None) -> bool:
    """Whether the highlight is `author`'s (None: anyone's); the filter of an article's
    highlights by who made them."""
    return author is None or record.author == author



def _selector(text: str, start: int, end: int) -> anchoring.TextSelector:
    if not 0 <= start < end <= len(text):
        raise LibraryError(f"The passage {start}-{end} is outside the article ({len(text)} characters).")
    # White space at the edges of a selection is not part of the passage.
    start, end = trim(text, start, end)
    if start >= end:
        raise LibraryError("Only blank space is selected: there is nothing to highlight.")
    return anchoring.describe(text, start, end)


def _changed(article_id: int, highlight_id: int) -> Changes:
    return Changes(highlights=frozenset({article_id}), highlight_id=highlight_id)


# What a highlight's own undo steps compare besides its existence (its place in the text
# is the article's: a newer version moves it, and that is no one's edit of the highlight).
CONTENT = ("colour", "note")

CHUNK = 500  # ids per statement, well under SQLite's limit on variables


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _marks(chunk: list[int]) -> str:
    return ", ".join("?" * len(chunk))


def _count(count: int) -> str:
    return f"{count} highlight{'s' * (count != 1)}"
