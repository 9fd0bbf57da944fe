"""Snippets of where a search matched an article, built from the article's text.

FTS5's own snippet() must find the match's position in the index, walking the position
list of every word of the query up to the article's row: 70 ms for one article and a
rare word at 100,000 articles, 450 ms for "the". The list shows a snippet only for the
rows on screen, so reading those few texts and finding the words here is cheap
(milliseconds) and as exact where it matters: words are folded and stemmed the way
the index's tokenizer (unicode61 with diacritics removed, then Porter) does, and the
word being typed matches as a prefix of a word's stem, like the query.

snowballstemmer provides the Porter stemmer (the original algorithm, which FTS5's
porter tokenizer implements); it is pure Python, maintained by the Snowball project
and what Sphinx's search uses. A PostgreSQL library's index stems with the server's
`english` configuration instead (Snowball's English stemmer, in the server's version:
"markedly" is "mark" there, "markedli" by Porter): its snippets pass `stemmer`, the
server's stems of the words (reader.search.postgres.ServerStems).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import namedtuple
from functools import lru_cache

TYPE_CHECKING = False  # typing's constant, without importing typing (the lean search's start-up)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    Stemmer = Callable[[str], "str | None"]  # a folded word's stem; None: not indexed

BEFORE = 24  # context before the match: a few words, so that a narrow list still shows it
LENGTH = 220  # characters in all; the list row elides what does not fit
_WORD = re.compile(r"[^\W_]+")  # what unicode61 takes for a token: letters and digits
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


class Term(namedtuple("Term", "stem prefix")):
    """A word searched for, stemmed; `prefix`: the word being typed, which any word whose
    stem begins with it matches. (A named tuple: a dataclass would cost the command
    line's search the dataclasses module, a tenth of its start-up.)"""

    __slots__ = ()

    def matches(self, stem: str) -> bool:
        return stem.startswith(self.stem) if self.prefix else stem == self.stem


def fold(word: str) -> str:
    """A word as unicode61 indexes it: lower case, without diacritics."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    return _stem_folded(fold(word))


@lru_cache(maxsize=1)
def _stemmer():
    # Made on the first search. The package's __init__ imports the stemmers of all its
    # 30 languages (30 ms); only Porter's three modules are loaded here, from the
    # package's folder, unless the package is imported already.
    if "snowballstemmer" not in sys.modules:
        try:
            return _porter_alone().PorterStemmer()
        except (ImportError, AttributeError):  # a layout this does not know: the usual way
            pass
    from snowballstemmer.porter_stemmer import PorterStemmer

    return PorterStemmer()


_ALONE = "reader.search._porter"  # where Porter's modules are loaded, apart from the package


def _porter_alone():
    """snowballstemmer.porter_stemmer loaded without the package's __init__: its modules
    (porter_stemmer, basestemmer, among: relative imports only) under a package of our
    own whose folder is snowballstemmer's."""
    import importlib
    import importlib.util
    import types

    spec = importlib.util.find_spec("snowballstemmer")  # finds it, runs nothing
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("snowballstemmer is not installed")
    package = types.ModuleType(_ALONE)
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules.setdefault(_ALONE, package)
    return importlib.import_module(_ALONE + ".porter_stemmer")


@lru_cache(maxsize=65536)
def _stem_folded(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    # Characters whose folding is not one character stay as they are (lower case where
    # that is one character), so that positions in the folded text are the text's.
    folded = fold(char)
    if len(folded) == 1:
        return folded
    lower = char.lower()
    return lower if len(lower) == 1 else char


def query_words(query: str) -> list[str]:
    """The words of a search that `terms` stems, folded: excluded words (`-word`,
    `-"a phrase"`) and operators left out."""
    return [fold(m.group()) for m in _query_words(query)[1]]


def _query_words(query: str) -> tuple[str, list[re.Match[str]]]:
    text = re.sub(r'(?:^|\s)-("[^"]*"?|\S+)', " ", query)
    return text, [m for m in _WORD.finditer(text) if m.group() not in _OPERATORS]


def terms(query: str, prefix_from: int, stemmer: Stemmer | None = None) -> list[Term]:
    """The words a search looks for, as the index matches them (stemmed by `stemmer`,
    Porter's by default). Excluded words and operators are left out (see query_words),
    and words the index does not hold (stop words: no stem); the last word is a prefix when
    it has at least `prefix_from` characters and the text ends with it (still typed)."""
    stemmer = stemmer or _stem_folded
    text, found = _query_words(query)
    result = []
    for number, match in enumerate(found):
        word = match.group()
        typed = (number == len(found) - 1 and match.end() == len(text.rstrip())
                 and not text.rstrip().endswith('"') and len(word) >= prefix_from)
        word_stem = stemmer(fold(word))
        if word_stem is not None:
            result.append(Term(word_stem, typed))
    return list(dict.fromkeys(result))


def find(text: str, wanted: list[Term], stemmer: Stemmer | None = None) -> tuple[int, int] | None:
    """Where the first word matching one of the terms is in the text, its words stemmed
    by `stemmer` (Porter's by default), as the terms were."""
    stemmer = stemmer or _stem_folded
    for start, end, word in _candidates(text, wanted):
        word_stem = stemmer(word)
        if word_stem is not None and any(t.matches(word_stem) for t in wanted):
            return start, end
    return None


def candidates(text: str, wanted: list[Term]) -> set[str]:
    """The words of the text (folded) that `find` may stem looking for the terms."""
    return {word for _, _, word in _candidates(text, wanted)}


def _candidates(text: str, wanted: list[Term]) -> Iterator[tuple[int, int, str]]:
    """Each word of the text that may match one of the terms: where it is, and folded."""
    # A stemmer (Porter's, or Snowball's English) changes at most a stem's last two
    # letters from the word's (y to i, ational to ate, dying to die…), so a word can
    # match only if it begins with the rest: a regex finds those candidates and only
    # they are stemmed.
    if not wanted:
        return
    heads = sorted({t.stem[:max(1, len(t.stem) - 2)] for t in wanted}, key=len, reverse=True)
    pattern = r"(?<![^\W_])(?:" + "|".join(map(re.escape, heads)) + r")[^\W_]*"
    if _plain_letters(text):
        # Only ASCII letters (other characters are punctuation, spaces, symbols): case
        # is all there is to fold, and the regex ignores it in place.
        haystack, flags = text, re.IGNORECASE | re.ASCII
    else:
        haystack, flags = _fold_text(text), 0
    for match in re.finditer(pattern, haystack, flags):
        yield match.start(), match.end(), match.group().lower()


_FOREIGN_LETTER = re.compile(r"(?![\x00-\x7f])[^\W_]")  # a letter or digit beyond ASCII


def _plain_letters(text: str) -> bool:
    return text.isascii() or _FOREIGN_LETTER.search(text) is None


_ASCII_LOWER = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _fold_text(text: str) -> str:
    """The text folded character by character, each character staying in its place."""
    table = dict(_ASCII_LOWER)
    table.update((ord(c), _fold_char(c)) for c in set(text) if not c.isascii())
    return text.translate(table)


def snippet(text: str, wanted: list[Term], stemmer: Stemmer | None = None) -> str:
    """One line of the text around its first match (the text's beginning without one),
    its words stemmed by `stemmer` (see find)."""
    where = find(text, wanted, stemmer) if wanted else None
    start = 0
    if where is not None and where[0] > BEFORE:
        start = where[0] - BEFORE
        space = text.find(" ", start, where[0])
        start = space + 1 if space != -1 else start
    piece = " ".join(text[start:start + LENGTH].split())
    if start > 0:
        piece = "…" + piece
    if start + LENGTH < len(text):
        piece += "…"
    return piece
