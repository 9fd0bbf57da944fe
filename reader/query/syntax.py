"""The query language's syntax: any text to a query tree, with messages, never an error.

    river -tag:later (colour:pink OR colour:"key claim") added:<2w sort:-published

A query is terms: free words and "quoted phrases" (full-text search), `field:value`
terms, `-` before a term to exclude it, `OR` between terms (AND is implied and binds
tighter), and parentheses. The grammar is lark's (an LALR(1) parser generated from the
grammar below): the language's shape is written down once, the lexer and the parser
come from a well-kept library with a specification of its own, and the printed form of
a tree is checked to parse back to the same tree.

Every string is a query. Before parsing, what the grammar cannot take is mended and
said in a message: an unclosed quote is closed, an unmatched parenthesis dropped or
closed, a dangling OR or `-` dropped. An unknown field is read as words; a value that
cannot be read (a malformed date) drops its term with a message saying which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reader.query import is_query  # noqa: F401 - the package's, its users import it from here

GRAMMAR = r"""
?start: or_expr?
?or_expr: and_expr (_OR and_expr)*
?and_expr: unary+
?unary: NEG unary -> negation
      | atom
?atom: "(" or_expr? ")" -> group
     | FIELD -> field
     | PHRASE -> phrase
     | WORD -> word
_OR.3: /OR(?=[\s()"]|$)/
FIELD.2: /[A-Za-z]+:("[^"]*"|[^\s()"]*)/
NEG: "-"
PHRASE: /"[^"]*"/
WORD: /[^\s()"\-][^\s()"]*/
%ignore /\s+/
"""

MAX_QUERY_CHARS = 4000  # a query longer than this is cut (with a message)
MAX_DEPTH = 60  # parentheses nested deeper are flattened




@lru_cache(maxsize=1)
def _parser() -> Any:
    # lark is imported on the first query, not when the app starts.
    from lark import Lark

    # cache: the parser tables are kept in a file of the temporary folder, keyed by the
    # grammar, so later processes load them instead of building them (~90 ms).
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False,
                cache=True)


# --- the tree ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """Free words, or a quoted phrase: full-text search."""

    text: str
    phrase: bool = False

    def printed(self) -> str:
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True)
class Field:
    """A `name:value` term (the name as known, lower case; the value as written)."""

    name: str
    value: str
    quoted: bool = field(default=False, compare=False)  # how it was written, not what it means

    def printed(self) -> str:
        needs_quotes = any(c.isspace() or c in '()"' for c in self.value)
        return f'{self.name}:"{self.value}"' if needs_quotes else f"{self.name}:{self.value}"


@dataclass(frozen=True)
class Not:
    term: Node

    def printed(self) -> str:
        inner = self.term.printed()
        return f"-({inner})" if isinstance(self.term, And | Or) else f"-{inner}"


@dataclass(frozen=True)
class And:
    terms: tuple[Node, ...]

    def printed(self) -> str:
        return " ".join(f"({t.printed()})" if isinstance(t, Or) else t.printed()
                        for t in self.terms)


@dataclass(frozen=True)
class Or:
    terms: tuple[Node, ...]

    def printed(self) -> str:
        return " OR ".join(f"({t.printed()})" if isinstance(t, Or) else t.printed()
                           for t in self.terms)


Node = Text | Field | Not | And | Or


@dataclass(frozen=True)
class Parsed:
    """A query's tree (None: no terms) and what was mended or could not be read."""

    tree: Node | None
    messages: tuple[str, ...] = field(default=(), compare=False)

    def printed(self) -> str:
        return "" if self.tree is None else self.tree.printed()


# --- parsing ---------------------------------------------------------------------------------
def parse(text: str) -> Parsed:
    """The tree of any text, and messages about what had to be mended."""
    messages: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        messages.append(f"the query is cut at {MAX_QUERY_CHARS} characters")
    text = text.replace("\0", " ")
    if text.count('"') % 2:
        text += '"'
        messages.append(f"a quote opened at {text.index(chr(34)) + 1} is not closed; "
                        "it is closed at the end")
    tokens = _mend(_lex(text), messages)
    if not tokens:
        return Parsed(None, tuple(messages))
    # Each token stands alone (a field holds its value), so spaces between them change
    # nothing: `a(b` and `a ( b` are one query.
    source = " ".join(str(token) for token in tokens)
    from lark.exceptions import LarkError

    try:
        tree = _builder().transform(_parser().parse(source))
    except (LarkError, RecursionError) as exc:  # the mending should leave nothing to refuse
        messages.append(f"the query could not be read ({type(exc).__name__}); its words "
                        "are searched instead")
        words = [t for t in tokens if t.type in ("WORD", "PHRASE")]
        tree = _and([Text(str(t).strip('"'), t.type == "PHRASE") for t in words])
    return Parsed(_flatten(tree), tuple(messages))


def _lex(text: str) -> list[Any]:
    """The tokens of a text whose quotes are balanced (every character is some token's)."""
    return list(_parser().lex(text))


def _mend(tokens: list[Any], messages: list[str]) -> list[Any]:
    """Tokens the grammar takes: parentheses matched, no dangling OR or `-`."""
    from lark import Token

    out: list[Any] = []
    depth = 0
    for token in tokens:
        kind = token.type
        if kind == "RPAR":
            if depth == 0:
                messages.append(f"a ')' at {token.start_pos + 1} closes nothing; it is left out")
                continue
            depth -= 1
        elif kind == "LPAR":
            if depth >= MAX_DEPTH:
                messages.append(f"parentheses nested over {MAX_DEPTH} deep are left out")
                continue
            depth += 1
        out.append(token)
    out.extend(Token("RPAR", ")") for _ in range(depth))
    if depth:
        messages.append(f"{depth} '(' not closed; closed at the end")
    # Drop what binds to nothing: OR at an edge or doubled, `-` before nothing.
    changed = True
    while changed:
        changed = False
        for index, token in enumerate(out):
            before = out[index - 1].type if index else None
            after = out[index + 1].type if index + 1 < len(out) else None
            if token.type == "_OR" and (before in (None, "LPAR", "_OR", "NEG")
                                        or after in (None, "RPAR", "_OR")):
                messages.append("an OR with nothing on one side is left out")
                del out[index]
                changed = True
                break
            if token.type == "NEG" and after in (None, "RPAR", "_OR"):
                messages.append("a '-' before nothing is left out")
                del out[index]
                changed = True
                break
    return out


@lru_cache(maxsize=1)
def _builder() -> Any:
    """The transformer from lark's parse tree to the query tree (made on first use)."""
    from lark import Transformer, v_args

    @v_args(inline=True)
    class Build(Transformer):
        def word(self, token: Any) -> Node:
            return Text(str(token))

        def phrase(self, token: Any) -> Node | None:
            inside = str(token)[1:-1]
            return Text(" ".join(inside.split()), phrase=True) if inside.strip() else None

        def field(self, token: Any) -> Node:
            name, _, value = str(token).partition(":")
            quoted = value.startswith('"') and value.endswith('"') and len(value) >= 2
            return Field(name.lower(), value[1:-1] if quoted else value, quoted)

        def negation(self, _sign: Any, term: Node | None) -> Node | None:
            return None if term is None else Not(term)

        def group(self, inner: Node | None = None) -> Node | None:
            return inner

        def and_expr(self, *terms: Node | None) -> Node | None:
            return _and([t for t in terms if t is not None])

        def or_expr(self, *terms: Node | None) -> Node | None:
            kept = [t for t in terms if t is not None]
            return kept[0] if len(kept) == 1 else (Or(tuple(kept)) if kept else None)

        def start(self, inner: Node | None = None) -> Node | None:
            return inner

    return Build()


def _and(terms: list[Node]) -> Node | None:
    return terms[0] if len(terms) == 1 else (And(tuple(terms)) if terms else None)


def _flatten(node: Node | None) -> Node | None:
    """One tree for one meaning: And in And, Or in Or and Not of Not taken apart, so
    that printing and parsing again give the same tree."""
    if node is None or isinstance(node, Text | Field):
        return node
    if isinstance(node, Not):
        inner = _flatten(node.term)
        if inner is None:
            return None
        return inner.term if isinstance(inner, Not) else Not(inner)
    kind = type(node)
    terms: list[Node] = []
    for term in node.terms:
        term = _flatten(term)
        if term is None:
            continue
        terms.extend(term.terms if isinstance(term, kind) else (term,))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else kind(tuple(terms))
