"""Markdown and plain text become blocks; split paragraphs are mended."""

from __future__ import annotations

from reader.document.model import CODE, HEADING, LIST_ITEM, PARAGRAPH, QUOTE, RULE, Block, Span
from reader.importing.parsing import mend_paragraphs, parse_markdown, parse_text


def test_emphasis_links_and_code_become_styled_spans():
    (block,) = parse_markdown("Some *soft* and **strong** words, a [link](https://e.org) and `code`.")
    assert block.kind == PARAGRAPH
    assert block.text == "Some soft and strong words, a link and code."
    styled = {s.text: s for s in block.spans}
    assert styled["soft"].italic and not styled["soft"].bold
    assert styled["strong"].bold
    assert styled["link"].link == "https://e.org"
    assert styled["code"].code


def test_headings_lists_quotes_code_and_rules():
    source = (
        "## Section\n\n- one\n- two\n  1. nested\n\n> quoted *line*\n\n"
        "```\nx = 1\n\ny = 2\n```\n\n---\n\nEnd."
    )
    blocks = parse_markdown(source)
    assert [(b.kind, b.text) for b in blocks] == [
        (HEADING, "Section"), (LIST_ITEM, "one"), (LIST_ITEM, "two"), (LIST_ITEM, "nested"),
        (QUOTE, "quoted line"), (CODE, "x = 1"), (CODE, ""), (CODE, "y = 2"), (RULE, ""),
        (PARAGRAPH, "End."),
    ]
    assert blocks[0].level == 2
    assert [b.level for b in blocks[1:4]] == [1, 1, 2]
    assert blocks[3].ordered and not blocks[1].ordered


def test_soft_breaks_are_spaces_and_hard_breaks_are_line_breaks():
    (block,) = parse_markdown("first line\nsecond line  \nthird")
    assert block.text == "first line second line\nthird"


def test_entities_are_decoded_and_raw_html_left_out():
    blocks = parse_markdown("Caf&eacute; &amp; bar <span>inline</span>\n\n<div>\nblock html\n</div>\n\nAfter.")
    assert [b.text for b in blocks] == ["Café & bar inline", "After."]


def test_images_are_not_shown():
    (block,) = parse_markdown("Look ![a chart](http://example.com/x.png) here.")
    assert block.text == "Look  here."


def test_plain_text_paragraphs_unwrap_hard_wrapped_lines():
    blocks = parse_text("Title\n\nA paragraph that was\nhard wrapped.\r\n\r\nSecond.\n")
    assert [b.text for b in blocks] == ["Title", "A paragraph that was hard wrapped.", "Second."]


def _p(text: str, **style) -> Block:
    return Block(PARAGRAPH, (Span(text, **style),))


def test_mending_joins_a_paragraph_split_mid_sentence():
    blocks = [_p("Many residents have complained about problems evacuating, while others"),
              _p("reported that they had to hide in churches."), _p("Next paragraph.")]
    assert [b.text for b in mend_paragraphs(blocks)] == [
        "Many residents have complained about problems evacuating, while others reported that "
        "they had to hide in churches.",
        "Next paragraph.",
    ]


def test_mending_joins_a_continuation_that_starts_with_a_capital():
    blocks = [_p("Of course, the regime, which is itself steeped in"), _p("Great Russian chauvinism.")]
    assert len(mend_paragraphs(blocks)) == 1


def test_mending_keeps_finished_sentences_apart():
    endings = ["It ended.", "Did it end?", "It ended!", "He said “it ended.”", "It ended…",
               "Contact us at:", "(It ended.)", 'She said, "Stop."']
    for ending in endings:
        blocks = [_p(f"A sentence of several words before the end. {ending}"), _p("next one")]
        assert len(mend_paragraphs(blocks)) == 2, ending


def test_mending_leaves_short_lines_bold_lines_and_other_blocks_alone():
    short = [_p("Related reading"), _p("continues here.")]
    bold = [_p("A bold pseudo heading of many words", bold=True), _p("continues here.")]
    heading = [Block(HEADING, (Span("A heading of many words without a stop"),)), _p("text.")]
    into_list = [_p("A paragraph of many words introducing a list"), Block(LIST_ITEM, (Span("x"),))]
    for blocks in (short, bold, heading, into_list):
        assert len(mend_paragraphs(blocks)) == 2


def test_mended_paragraph_keeps_its_styles():
    blocks = [_p("A sentence of many words that breaks in"), _p("the middle", italic=True)]
    (mended,) = mend_paragraphs(blocks)
    assert mended.text == "A sentence of many words that breaks in the middle"
    assert mended.spans[-1] == Span("the middle", italic=True)
