"""workbench.app.text.literal: text from data is shown as typed, never rendered as Markdown or HTML.

Checked against a CommonMark renderer (markdown-it-py, which Streamlit's Python side installs through rich):
the escaped text renders to one paragraph whose only content is the original text, so no image, link, emphasis,
heading, code span or raw HTML is made. Streamlit's own additions (`:red[x]`, `:material/x:`, `$x$`) all start
at a punctuation character, and `literal` leaves none of those unescaped.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from workbench.app.text import literal, literal_frame, literal_list

MarkdownIt = pytest.importorskip("markdown_it").MarkdownIt  # installed with rich; skipped where it is not

HOSTILE = [
    "![](http://x/y.png)",
    "![x](http://127.0.0.1:9/x.png) **b**",
    "[a](javascript:alert(1))",
    "<img src=x>",
    "<script>alert(1)</script>",
    "**b**",
    "_i_ and *i*",
    "$x$",
    "$$\\int x$$",
    ":red[x]",
    ":material/x:",
    ":blue-background[hi] :small[s]",
    "`code` and ```fence```",
    "# heading",
    "  ## indented heading",
    "> quote",
    "- item",
    "1. item",
    "---",
    "| a | b |",
    "~~strike~~",
    "&amp; &lt;",
    "back\\slash\\",
    "http://example.com/x.png www.example.com",
    "<http://auto.link>",
    "line one\n# line two\n![](http://x/z.png)",
    "[ref]: http://x/y",
    "Réparations (final) – 100%",
]


def _rendered_text(markdown: str) -> str:
    out = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    return out


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_renders_as_the_text_itself(text: str) -> None:
    rendered = _rendered_text(literal(text))
    for tag in ("<img", "<a ", "<strong", "<em", "<h1", "<h2", "<code", "<script", "<blockquote", "<ul", "<ol",
                "<hr", "<table", "<s>", "<del"):
        assert tag not in rendered, (text, rendered)
    # one or more paragraphs whose text is the original, line for line
    plain = re.sub(r"</?p>|<br />", "", rendered).strip()
    assert html.unescape(plain).replace("\n", "") == text.replace("\n", "").strip()


@pytest.mark.parametrize("text", HOSTILE)
def test_no_streamlit_directive_can_start(text: str) -> None:
    """Streamlit's additions start at a character CommonMark does not know (':', '$') or at a bare URL."""
    escaped = literal(text)
    for i, c in enumerate(escaped):
        after = escaped[i + 1: i + 2]
        before = escaped[i - 1: i] if i else ""
        inside_word = c == "_" and before.isalnum() and after.isalnum()
        starts = (c in "`$[]<>*_~|&@" and not inside_word) or (c == ":" and (after.isalpha() or after == "/"))
        if starts and (i == 0 or escaped[i - 1] != "\\"):
            raise AssertionError((text, escaped, i))
    for raw in ("![", ":material/", ":red[", "http://", "www."):
        assert raw not in escaped, (text, escaped)


def test_punctuation_that_starts_nothing_is_left_as_typed() -> None:
    for text in ("Housing repairs - redesign (v2)", "row 3's type, at 06:54 UTC; 43% vs 10%.", "d.csv", "Réparations",
                 "2.66", "-5", "+44 20", "#2 priority", "vru_entry", "2026-01-05"):
        assert literal(text) == text
    assert literal("1. first\n2) second\n- item\n+ item\n# title\n=== \n> quote") == (
        "1\\. first\n2\\) second\n\\- item\n\\+ item\n\\# title\n\\=== \n\\> quote")


def test_plain_words_are_unchanged_and_none_is_empty() -> None:
    assert literal("Repairs spring 2027") == "Repairs spring 2027"
    assert literal(None) == ""
    assert literal(12) == "12"
    assert literal_list(["**a**", "b"]) == "\\*\\*a\\*\\*, b"


def test_literal_frame_escapes_text_cells_and_headers_only() -> None:
    frame = pd.DataFrame({"**Design**": ["![](http://x/y.png)", "ok"], "n": [1.5, 2.0]})
    out = literal_frame(frame)
    assert list(out.columns) == ["\\*\\*Design\\*\\*", "n"]
    assert out.iloc[0, 0] == "!\\[\\](http\\://x/y.png)"
    assert out["n"].tolist() == [1.5, 2.0]
    assert frame.iloc[0, 0] == "![](http://x/y.png)"  # the original is untouched
