"""Builds the benchmark's synthetic library through the core, in bulk, and caches it.

Articles are generated and parsed in a pool of worker processes (parse_article is the
costly step) and stored by the main process with `articles.add_many`; highlights go in
with `highlights.create_many`. The finished file is kept in bench/.cache/, keyed by the
parameters and BUILD_VERSION, and reused by later runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import random
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import corpus

BUILD_VERSION = 1  # bump when the generated library changes
# MARGINALIA_BENCH_CACHE puts it elsewhere (the test that runs a small benchmark does).
CACHE_DIR = Path(os.environ.get("MARGINALIA_BENCH_CACHE")
                 or Path(__file__).resolve().parent / ".cache")
SPECIAL_WORDS = 5000  # the two long articles opened by the benchmark
FEW_HIGHLIGHTS = 50
MANY_HIGHLIGHTS = 1000


@dataclass(frozen=True)
class Params:
    articles: int = 100_000
    highlights: int | None = None  # default: half the article count (50,000 at 100,000)
    tags: int = 200
    seed: int = 1

    @property
    def highlight_count(self) -> int:
        return self.highlights if self.highlights is not None else self.articles // 2

    def key(self) -> str:
        # Not keyed by the schema version: a newer app upgrades the cached library with its
        # own migrations (see `upgrade`), as it would a user's, instead of a rebuild.
        text = json.dumps([BUILD_VERSION, self.articles, self.highlight_count, self.tags,
                           self.seed])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class Built:
    """What the measurements need to know about a built library (stored beside it)."""

    path: str
    params: dict
    build_seconds: float
    articles: int
    highlights: int
    tags: int
    few_highlights_article: int  # ~5,000 words, 50 highlights
    many_highlights_article: int  # ~5,000 words, 1,000 highlights
    max_article_id: int
    max_highlight_id: int
    highlights_per_article: dict[str, int] = field(default_factory=dict)
    file_bytes: int = 0

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(dataclasses.asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Built:
        return cls(**json.loads(path.read_text()))


def cached_paths(params: Params) -> tuple[Path, Path]:
    stem = f"library-{params.articles}-{params.key()}"
    return CACHE_DIR / f"{stem}.sqlite3", CACHE_DIR / f"{stem}.json"


def ensure_library(params: Params, log=print) -> Built:
    """The built library for these parameters: from the cache, or built now."""
    db_path, meta_path = cached_paths(params)
    if db_path.exists() and meta_path.exists():
        built = Built.load(meta_path)
        built.path = str(db_path)  # wherever the checkout is now
        restore(built)
        upgrade(built, log)
        log(f"Using the cached library {db_path.name} (built in {built.build_seconds:.0f} s).")
        return built
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # An older build for the same size is only disk space now.
    for stale in CACHE_DIR.glob(f"library-{params.articles}-*"):
        stale.unlink()
    built = build(params, db_path, log)
    built.save(meta_path)
    return built


def upgrade(built: Built, log=print) -> None:
    """Bring the cached library to the app's schema (its own migrations), so that no
    measured start-up pays for a migration; the pre-migration copy is not kept."""
    from reader.storage.database import SCHEMA_VERSION, read_schema_version
    from reader.library import Library

    path = Path(built.path)
    version = read_schema_version(path)
    if version < SCHEMA_VERSION:
        started = time.perf_counter()
        Library.open(path).close()
        log(f"Upgraded the cached library from schema {version} to {SCHEMA_VERSION} in "
            f"{time.perf_counter() - started:.0f} s.")
    remove_backups(path)


def remove_backups(library: Path) -> None:
    """Delete the app's backups of a cached library (copies of a synthetic library, GBs
    each at 100,000 articles); only ever inside bench/.cache."""
    from reader.storage.backup import backup_folder

    folder = backup_folder(library)
    if folder.resolve().parent != CACHE_DIR.resolve() or not folder.is_dir():
        return
    for copy in folder.glob(f"{library.stem}-*"):
        copy.unlink()


def restore(built: Built) -> None:
    """Undo anything an interrupted run left in the cached library (imported articles,
    highlights created by the measurements, the mark of a session that did not end)."""
    marker = app_session_marker(Path(built.path))
    if marker is not None:
        marker.unlink(missing_ok=True)
    with sqlite3.connect(built.path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        extra_h = conn.execute("DELETE FROM highlight WHERE id > ?", (built.max_highlight_id,))
        extra_a = conn.execute("DELETE FROM article WHERE id > ?", (built.max_article_id,))
        try:  # the synthetic library has no feeds: any there were subscribed by a run
            conn.execute("DELETE FROM feed")
        except sqlite3.OperationalError:  # a library from before feeds
            pass
        conn.execute("UPDATE article SET read = 0, progress = 0, reading_position = 0"
                     " WHERE read != 0 OR progress != 0 OR reading_position != 0")
        if extra_h.rowcount or extra_a.rowcount:
            print(f"(cleaned {extra_a.rowcount} articles and {extra_h.rowcount} highlights "
                  "left by an earlier run)", file=sys.stderr)
    conn.close()


def app_session_marker(library: Path) -> Path | None:
    """The file the app keeps while a library is open (a crash leaves it behind)."""
    try:
        from reader.ui.app import session_marker
    except ImportError:  # an app without one
        return None
    return session_marker(library)


# --- building -------------------------------------------------------------------------
_TAGS: list[str] = []
_SEED = 1


def _init_worker(seed: int, tags: list[str]) -> None:
    global _SEED, _TAGS
    _SEED, _TAGS = seed, tags


def _make(index: int):
    """Worker: generate and parse one ordinary article."""
    from reader.importing.sources import parse_article

    generated = corpus.article(_SEED, index, tag_pool=_TAGS)
    parsed = parse_article(generated.markdown, "markdown", generated.name)
    return dataclasses.replace(parsed, tags=generated.tags)


def build(params: Params, db_path: Path, log=print) -> Built:
    from reader.library import Library
    from reader.importing.sources import parse_article

    started = time.perf_counter()
    partial = db_path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    tags = corpus.tag_names(params.tags)
    rng = random.Random(params.seed)
    library = Library.open(partial)
    try:
        # The two long articles come first: oldest, so they sit at the bottom of the list
        # and start-up does not open them.
        special = []
        for number, count in ((1, FEW_HIGHLIGHTS), (2, MANY_HIGHLIGHTS)):
            generated = corpus.article(params.seed, 10**9 + number, words=SPECIAL_WORDS,
                                       tag_pool=tags)
            parsed = parse_article(generated.markdown, "markdown", generated.name)
            special.append((library.articles.add_many([parsed])[0], parsed.text, count))
        ids: list[int] = [s[0] for s in special]
        texts_needed = _plan_highlights(rng, params)
        spans: dict[int, list] = {}
        workers = max(1, min(2, os.cpu_count() or 1))
        done = 0
        with multiprocessing.get_context("fork").Pool(
                workers, _init_worker, (params.seed, tags)) as pool:
            stream = _bounded(pool, params.articles - 2)

            def counted():
                nonlocal done
                for parsed in stream:
                    index = done
                    done += 1
                    if index in texts_needed:
                        # Only the text is needed later, to place this article's highlights.
                        spans[index] = _spans(rng, parsed.text, texts_needed[index], tags)
                    if done % 10_000 == 0:
                        rate = done / (time.perf_counter() - started)
                        log(f"  {done:,} articles ({rate:.0f}/s)")
                    yield parsed

            ids += library.articles.add_many(counted(), batch=500)
        log(f"  {len(ids):,} articles stored in {time.perf_counter() - started:.0f} s")
        rows = []
        for article_id, text, count in special:
            rows += [(article_id, *row) for row in _spans(rng, text, count, tags, max_words=20)]
        for index in sorted(spans):
            rows += [(ids[index + 2], *row) for row in spans[index]]
        library.highlights.create_many(rows, batch=1000)
        library.seed_if_new(Path("/nonexistent"))  # marks it seeded: start-up adds nothing
        per_article = library.highlights.counts()
        built = Built(
            path=str(db_path), params=dataclasses.asdict(params), build_seconds=0.0,
            articles=library.articles.count(), highlights=library.highlights.count(),
            tags=len(library.tags.names()), few_highlights_article=special[0][0],
            many_highlights_article=special[1][0], max_article_id=max(ids),
            max_highlight_id=0, highlights_per_article={str(k): v for k, v in per_article.items()},
        )
    finally:
        library.close()
    with sqlite3.connect(partial) as conn:
        built.max_highlight_id = conn.execute("SELECT max(id) FROM highlight").fetchone()[0] or 0
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    os.replace(partial, db_path)
    for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    built.build_seconds = time.perf_counter() - started
    built.file_bytes = db_path.stat().st_size
    log(f"Built {built.articles:,} articles, {built.highlights:,} highlights, {built.tags} tags "
        f"in {built.build_seconds:.0f} s ({built.file_bytes / 2**20:.0f} MB).")
    return built


def _bounded(pool, count: int, block: int = 2000):
    """The parsed articles 0..count-1 in order, with at most two blocks in memory: when
    the workers outpace the inserts, an unbounded imap would hold them all (GBs)."""
    pending = pool.map_async(_make, range(min(block, count)), chunksize=50)
    for start in range(0, count, block):
        ready = pending.get()
        following = range(start + block, min(start + 2 * block, count))
        if following:
            pending = pool.map_async(_make, following, chunksize=50)
        yield from ready


def _plan_highlights(rng: random.Random, params: Params) -> dict[int, int]:
    """How many highlights each ordinary article (by index) gets: a few articles many,
    most none, like a real reader's library."""
    total = params.highlight_count
    ordinary = params.articles - 2
    plan: dict[int, int] = {}
    while total > 0 and ordinary > 0:
        index = rng.randrange(ordinary)
        count = min(total, max(1, int(rng.expovariate(1 / 6))))
        plan[index] = plan.get(index, 0) + count
        total -= count
    return plan


def _spans(rng: random.Random, text: str, count: int, tags: list[str], max_words: int = 30):
    """(start, end, colour, note, tags) for `count` highlights of a text."""
    colours = ("yellow", "yellow", "yellow", "green", "blue", "pink", "purple")
    rows = []
    for start, end in corpus.highlight_spans(rng, text, count, max_words=max_words):
        wanted = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
        names = tuple(dict.fromkeys(rng.choice(tags) for _ in range(wanted)))
        rows.append((start, end, rng.choice(colours), corpus.note(rng), names))
    return rows
