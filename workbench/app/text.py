"""Text from data shown as text: what people typed or uploaded never renders as Markdown or HTML.

Streamlit renders Markdown (and its own additions: `:red[...]`, `:material/icon:`, `:emoji:`, `$LaTeX$`, bare
URLs as links) in messages, captions, titles, labels, tab and expander names, radio options and `st.table`
cells. A study name, a customer's words, a map's step name or a file name is data: `![](http://host/x.png)` in
one of them must not make every viewer's browser fetch an image, and `**b**` must read as typed.

`literal` puts a backslash (CommonMark shows any escaped punctuation as itself) before every character that
can start something: the backslash, the backtick and * ~ [ ] < > | $ & @ anywhere; _ unless it is inside a word
(snake_case starts nothing); a colon before a letter or a slash (Streamlit's directives, icons and emoji
shortcodes; http:// links); the dot after www; and, at the start of a line, what makes a heading, a list item,
a rule or a setext underline (# - + = and the dot or bracket after a number, before a space). Other
punctuation (quotes, commas, brackets, a dash or a dot inside a line, 06:54, 2.66, -5) cannot start anything
once those are escaped, so it is left as typed: the text stays readable where it is read back (tests, element values),
and shows exactly as written.

Use it wherever data meets one of those calls: `st.caption(f"{literal(src.name)}: {n:,} demands")`. Plain-text
places (`st.text`, `st.code`, selectbox and multiselect options, `st.dataframe` and `st.data_editor` cells)
need nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

_ANYWHERE = re.compile(r"([\\`*~\[\]<>|$&@])")  # can start emphasis, code, links, HTML, tables, LaTeX, ...
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # inside a word (snake_case) it starts nothing
_COLON = re.compile(r":(?=[A-Za-z/])")  # :red[x], :material/x:, :smile:, http://
_WWW = re.compile(r"(?i)\b(www)\.")  # GFM links www.example.com without a scheme
# at a line's start: a heading (#), a list item (- + or 1. 1) before a space), a rule or setext line (--- ===)
_LINE_START = re.compile(r"^([ \t]*)(#{1,6}(?=[ \t]|$)|[-+](?=[ \t]|$)|[-=](?=[-= \t]*$)|\d{1,9}(?=[.)](?:[ \t]|$)))",
                         re.MULTILINE)


def literal(value: object) -> str:
    """`value` as text that Streamlit's Markdown shows exactly as written (None reads as '')."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _ANYWHERE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _COLON.sub(r"\\:", text).replace("\\:material/", "\\:material\\/")  # Streamlit rewrites ':material/'
    text = _WWW.sub(r"\1\\.", text)

    def line_start(m: re.Match[str]) -> str:
        lead, mark = m.group(1), m.group(2)
        if mark[0].isdigit():  # "1. " / "1) ": escape what follows the number
            return lead + mark + "\\"
        return lead + "\\" + mark

    return _LINE_START.sub(line_start, text)


def literal_list(values: Iterable[object], sep: str = ", ") -> str:
    """Several values, each literal, joined (the separator is written as given)."""
    return sep.join(literal(v) for v in values)


def literal_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for `st.table` (whose cells and headers are Markdown): text cells, column names and the index
    made literal; numbers and other values unchanged."""
    def cell(v: Any) -> Any:
        return literal(v) if isinstance(v, str) else v

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(cell)
    out.columns = [literal(c) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(cell)
    return out
