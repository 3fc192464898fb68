"""Text from data shown as text: what people typed or uploaded never renders as Markdown or HTML.

Streamlit renders Markdown (and its own directives: `:red[...]`, `:material/icon:`, `$LaTeX$`) in messages,
captions, titles, labels, tab and expander names, radio options and `st.table` cells. A study name, a
customer's words, a map's step name or a file name is data: `![](http://host/x.png)` in one of them must not
make every viewer's browser fetch an image, and `**b**` must read as typed. `literal` escapes every ASCII
punctuation character with a backslash (CommonMark shows any escaped punctuation as itself, and none of
Streamlit's additions can start at an escaped character), so the text is shown exactly as written.

Use it wherever data meets one of those calls: `st.caption(f"{literal(src.name)}: {n:,} demands")`. Plain-text
places (`st.text`, `st.code`, selectbox and multiselect options, `st.dataframe` cells) need nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character (CommonMark's list)


def literal(value: object) -> str:
    """`value` as text that Streamlit's Markdown shows exactly as written (None reads as '')."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _PUNCTUATION.sub(r"\\\1", text)


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
