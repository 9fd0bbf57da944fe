"""People's names from a byline or author field, without "By", job titles or handles."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

__all__ = ["URL", "clean_names", "clean_text", "unique"]

_WHITESPACE = re.compile(r"\s+")
URL = re.compile(r"\b(?:https?://|www\.)\S*", re.IGNORECASE)

# Words of job titles: "Staff Writer", "Senior Correspondent", "Editor". A part of a byline
# made only of them is no name, and a run of them after a name is dropped ("Jane Doe
# Staff Writer"); "Ann Writer" keeps her surname.
_JOB_WORDS = frozenset({
    "staff", "writer", "writers", "correspondent", "correspondents", "editor", "editors",
    "reporter", "reporters", "columnist", "columnists", "contributor", "contributors",
    "contributing", "journalist", "journalists", "producer", "analyst", "photographer",
    "chief", "senior", "deputy", "bureau", "desk", "associate", "managing", "executive",
    "director", "intern", "freelance", "guest", "special", "political", "foreign",
    "investigative", "sports", "business", "science", "health", "technology", "data",
    "news", "digital", "assistant", "lead", "head", "of", "at", "the", "in", "for",
})
# Words that are never part of a byline's names: the part holding one is no name.
_NOT_NAME_WORDS = frozenset({
    "follow", "following", "username", "updated", "update", "published", "posted", "share",
    "email", "e-mail", "twitter", "facebook", "instagram", "linkedin", "subscribe", "admin",
    "administrator", "read", "min", "mins", "minute", "minutes", "ago", "comments", "view",
    "profile", "author", "authors", "articles", "posts", "bio", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
    "newsroom", "team", "reporting", "additional", "homepage", "website",
})
_NAME_PARTICLES = frozenset({"de", "da", "del", "der", "van", "von", "la", "le", "di", "du",
                             "bin", "al", "dos", "das", "ter", "ten", "y"})
_BY_PREFIX = re.compile(
    r"^(?:(?:written|words|reporting|story|text|posted|reported|compiled|interview)\s+)?by\b"
    r"[:\s]*|^authors?\s*:\s*", re.IGNORECASE)
_BYLINE_SEPARATOR = re.compile(r"\s+[|·•—–/]\s+|\s+-\s+|\s*[|·•]\s*|\n")
_NAME_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*|\s+(?:and|&|und|et)\s+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_MAX_NAME_WORDS = 5


def clean_text(text: str) -> str:
    """`text` with its runs of white space made one space, and trimmed."""
    return _WHITESPACE.sub(" ", text).strip()


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """The non-empty values, cleaned, without repeats (ignoring case), in their order."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = clean_text(value or "").casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(clean_text(value))
    return tuple(kept)


def clean_names(byline: str) -> list[str]:
    """People's names in a byline or author field: "By JANE DOE, Staff Writer | Follow on X"
    gives ["Jane Doe"], "By Ana Lopez and Tom Berg" gives ["Ana Lopez", "Tom Berg"]."""
    text = URL.sub(" ", _EMAIL.sub(" ", html.unescape(byline or "")))
    names: list[str] = []
    for segment in _BYLINE_SEPARATOR.split(text):
        segment = _BY_PREFIX.sub("", clean_text(segment))
        for part in _NAME_LIST_SEPARATOR.split(segment):
            part = _BY_PREFIX.sub("", part.strip(" .,:;()[]-–—")).strip(" .,:;()[]")
            part = _without_job_title(part)
            if _is_name(part):
                names.append(_name_case(part))
    return list(unique(names))


def _is_name(part: str) -> bool:
    words = part.split()
    if not words or len(words) > _MAX_NAME_WORDS or len(part) > 60:
        return False
    if re.search(r"[\d@/\\<>{}=#?!+*]", part) or not part[0].isalpha():
        return False
    lowered = [w.casefold().strip(".'’") for w in words]
    if any(w in _NOT_NAME_WORDS for w in lowered) or all(w in _JOB_WORDS for w in lowered):
        return False
    # Names are capitalised, but for particles ("van", "de"); all lower case is a sentence.
    return any(w[0].isupper() for w in words) and all(
        w[0].isupper() or w.casefold() in _NAME_PARTICLES or not w[0].isalpha()
        for w in words)


def _without_job_title(part: str) -> str:
    words = part.split()
    end = len(words)
    while (sum(w[0].isalpha() for w in words[:end - 1]) >= 2
           and words[end - 1].casefold() in _JOB_WORDS):
        end -= 1
    # Only a title that starts with a capital after the name: "Jane Doe Staff Writer".
    if end < len(words) and words[end][0].isupper():
        return " ".join(words[:end])
    return part


def _name_case(name: str) -> str:
    """ "JANE DOE" as "Jane Doe"; names in mixed case are left as written."""
    if not name.isupper() or len(name) <= 3:
        return name
    return re.sub(r"\w+", lambda m: m.group().capitalize(), name.lower())

