"""A page's JSON-LD: its schema.org objects, and the texts, names and authors they hold."""

from __future__ import annotations

import html
import json
import re

from lxml import etree

from reader.importing.bylines import clean_names, clean_text

__all__ = ["ARTICLE_TYPES", "json_ld", "ld_authors", "ld_name", "ld_text", "types"]

# schema.org types whose objects are the article itself.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "report", "reportagenewsarticle",
    "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle",
    "backgroundnewsarticle", "askpublicnewsarticle", "liveblogposting", "techarticle",
    "scholarlyarticle", "socialmediaposting", "satiricalarticle", "advertisercontentarticle",
})
_ORGANISATION_TYPES = frozenset({"organization", "newsmediaorganization", "corporation"})
_MAX_JSON_OBJECTS = 2000


def json_ld(tree: etree._Element) -> tuple[list[dict], dict[str, dict]]:
    """Every object in the page's JSON-LD blocks, in document order, and those with an @id."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().casefold() != "application/ld+json":
            continue
        text = (script.text or "").strip()
        # Wrappers that once hid scripts from old browsers and XML parsers.
        text = re.sub(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$", "",
                      text).strip()
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue  # one broken block does not spoil the others
        _walk(data, objects, 0)
    ids = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    return objects, ids


def _walk(value: object, objects: list[dict], depth: int) -> None:
    if depth > 12 or len(objects) >= _MAX_JSON_OBJECTS:
        return
    if isinstance(value, list):
        for item in value:
            _walk(item, objects, depth + 1)
    elif isinstance(value, dict):
        objects.append(value)
        for key, item in value.items():
            if key not in ("itemListElement", "relatedLink", "citation", "review"):
                _walk(item, objects, depth + 1)


def types(obj: dict) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].casefold()
            for v in values if isinstance(v, str)}


def ld_text(value: object) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, (str, dict))), "")
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    return clean_text(html.unescape(value)) if isinstance(value, str) else ""


def ld_name(value: object, ids: dict[str, dict]) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = ids.get(value.get("@id"), value) if isinstance(value.get("@id"), str) else value
        return ld_text(value.get("name"))
    return ld_text(value)


def ld_authors(value: object, ids: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(people's names, organisations' names) of a JSON-LD author value."""
    people: list[str] = []
    organisations: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and isinstance(item.get("@id"), str) and item["@id"] in ids:
            item = {**ids[item["@id"]], **item}
        if isinstance(item, str):
            people += clean_names(item)
        elif isinstance(item, dict):
            name = ld_text(item.get("name"))
            if not name:
                given = ld_text(item.get("givenName"))
                family = ld_text(item.get("familyName"))
                name = f"{given} {family}".strip()
            if types(item) & _ORGANISATION_TYPES:
                if name:
                    organisations.append(name)
            else:
                people += clean_names(name)
    return people, organisations
