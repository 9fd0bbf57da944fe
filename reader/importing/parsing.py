"""Turns an article's source (CommonMark Markdown or plain text) into document blocks.

Markdown is parsed by markdown-it-py (CommonMark); this module only maps its token
stream onto `reader.document.model` blocks, and mends paragraphs that text extraction split
in the middle of a sentence.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.document.model import (
    CODE,
    HEADING,
    LINE_BREAK,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    RULE,
    Block,
    Span,
    merge_spans,
)

MARKDOWN = "markdown"
TEXT = "text"
FORMATS = (MARKDOWN, TEXT)

# html=True so that raw HTML is recognised as such and left out, instead of being
# shown as literal tags.
_markdown = MarkdownIt("commonmark", {"html": True})

# A paragraph that ends like this has finished its sentence.
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’»)\]*_]*\s*$")
_MIN_WORDS_TO_MEND = 6


class NestingError(ValueError):
    """Markdown nested deeper than the parser goes; str() is the reason, for the user."""


def _note_nesting_limit(tokenize):
    """markdown-it's block tokenizer, noting in the parse's env when it gives up on a
    block for being nested past maxNesting (it then drops that block, and with lists
    the rest of the document, without a word)."""

    def tokenize_noting(state, start_line: int, end_line: int, *args, **kwargs):
        if start_line < end_line and state.level >= state.md.options["maxNesting"]:
            state.env["nesting_exceeded"] = True
        return tokenize(state, start_line, end_line, *args, **kwargs)

    return tokenize_noting


_markdown.block.tokenize = _note_nesting_limit(_markdown.block.tokenize)


def parse_markdown(source: str, strict: bool = False) -> list[Block]:
    """Blocks of a CommonMark document. With strict, NestingError where the parser would
    leave text out for being nested too deeply (lists or quotes inside one another)."""
    env: dict = {}
    tokens = _markdown.parse(source, env)
    if strict and env.get("nesting_exceeded"):
        levels = _markdown.options["maxNesting"]
        raise NestingError(f"has lists or block quotes nested too deeply to read (more than "
                           f"{levels} levels, where a list inside a list counts two); the "
                           "text inside them would be lost")
    return _TokenWalker(tokens).blocks


def parse_text(source: str) -> list[Block]:
    """Blocks of a plain-text document: paragraphs are separated by blank lines, and
    the line breaks of hard-wrapped text inside a paragraph become spaces."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", source.replace("\r\n", "\n").replace("\r", "\n")):
        text = " ".join(line.strip() for line in chunk.split("\n") if line.strip())
        if text:
            blocks.append(Block(PARAGRAPH, (Span(text),)))
    return blocks


def parse(source: str, source_format: str, strict: bool = False) -> list[Block]:
    """Blocks of a source; with strict, NestingError for Markdown nested too deeply."""
    if source_format == MARKDOWN:
        return parse_markdown(source, strict)
    if source_format == TEXT:
        return parse_text(source)
    raise ValueError(f"unknown source format {source_format!r}")


def mend_paragraphs(blocks: list[Block]) -> list[Block]:
    """Join paragraphs that extraction split mid-sentence.

    A plain paragraph of some length that ends without sentence-ending punctuation
    continues in the next plain paragraph. Short lines and wholly emphasised lines are
    left alone: they are captions or headings in disguise, not broken sentences.
    """
    mended: list[Block] = []
    for block in blocks:
        previous = mended[-1] if mended else None
        if previous is not None and _is_broken(previous) and _can_continue(block):
            mended[-1] = Block(PARAGRAPH, merge_spans([*previous.spans, Span(" "), *block.spans]))
        else:
            mended.append(block)
    return mended


def _is_broken(block: Block) -> bool:
    if block.kind != PARAGRAPH or _is_pseudo_heading(block):
        return False
    text = block.text
    if LINE_BREAK in text.rstrip() or len(text.split()) < _MIN_WORDS_TO_MEND:
        return False
    return not _SENTENCE_END.search(text)


def _can_continue(block: Block) -> bool:
    return block.kind == PARAGRAPH and not _is_pseudo_heading(block)


def _is_pseudo_heading(block: Block) -> bool:
    visible = [span for span in block.spans if span.text.strip()]
    return bool(visible) and all(span.bold for span in visible)


class _TokenWalker:
    """Walks markdown-it's token stream, keeping track of lists and block quotes."""

    def __init__(self, tokens: list[Token]) -> None:
        self.blocks: list[Block] = []
        self._lists: list[bool] = []  # ordered? for each open list
        self._item_fresh = False
        self._quote_depth = 0
        self._heading_level = 0
        for token in tokens:
            self._block_token(token)

    def _block_token(self, token: Token) -> None:
        kind = token.type
        if kind == "heading_open":
            self._heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            self._heading_level = 0
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self._lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self._lists.pop()
        elif kind == "list_item_open":
            self._item_fresh = True
        elif kind == "blockquote_open":
            self._quote_depth += 1
        elif kind == "blockquote_close":
            self._quote_depth -= 1
        elif kind == "inline":
            self._inline(token)
        elif kind in ("fence", "code_block"):
            for line in token.content.rstrip("\n").split("\n"):
                self.blocks.append(Block(CODE, (Span(line, code=True),) if line else ()))
        elif kind == "hr":
            self.blocks.append(Block(RULE))

    def _inline(self, token: Token) -> None:
        spans = merge_spans(_inline_spans(token.children or []))
        # Hard breaks at either end carry nothing.
        while spans and spans[-1].text.strip("\n") == "":
            spans = spans[:-1]
        if not "".join(s.text for s in spans).strip():
            return
        if self._heading_level:
            self.blocks.append(Block(HEADING, spans, level=self._heading_level))
        elif self._lists:
            self.blocks.append(
                Block(LIST_ITEM, spans, level=len(self._lists), ordered=self._lists[-1],
                      item_start=self._item_fresh)
            )
            self._item_fresh = False
        elif self._quote_depth:
            self.blocks.append(Block(QUOTE, spans, level=self._quote_depth))
        else:
            self.blocks.append(Block(PARAGRAPH, spans))


def _inline_spans(children: list[Token]) -> list[Span]:
    spans: list[Span] = []
    bold = italic = 0
    links: list[str] = []
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            links.append(str(child.attrs.get("href", "")))
        elif kind == "link_close":
            links.pop()
        elif kind in ("text", "code_inline"):
            spans.append(
                Span(child.content, bold=bold > 0, italic=italic > 0,
                     code=kind == "code_inline", link=links[-1] if links else None)
            )
        elif kind == "softbreak":
            spans.append(Span(" ", bold=bold > 0, italic=italic > 0, link=links[-1] if links else None))
        elif kind == "hardbreak":
            spans.append(Span(LINE_BREAK))
    return spans
