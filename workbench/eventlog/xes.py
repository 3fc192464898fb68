"""XES event logs (`.xes`, `.xes.gz`; IEEE 1849-2016) read by a safe streaming parser.

defusedxml's iterparse refuses a DOCTYPE, entities and external references before they are expanded (an XES
file never needs them), so a "billion laughs" or a file fetching a URL is refused in one sentence. Elements
are cleared as soon as their event or trace is read, so a large log never holds its whole tree; the
unpacked bytes and the events are counted against `WORKBENCH_MAX_DEMAND_BYTES` and
`WORKBENCH_MAX_DEMAND_ROWS` as they come. Trace attributes are given a `case:` prefix, as PM4Py does when it
turns a log into a table (`case:concept:name`), so the table reads like a PM4Py CSV.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import zlib
from typing import IO, Any, cast
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as safe_et
import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException

from workbench import limits
from workbench.demand.report import DemandFileError

_ATTRIBUTES = {"string", "date", "int", "float", "boolean", "id"}
_GZIP_MAGIC = b"\x1f\x8b"


def is_xes(data: bytes, name: str) -> bool:
    """Whether bytes are an XES log: a file named .xes or .xes.gz, or XML (plain or gzipped) that starts with
    `<?xml` or `<log`. A gzipped CSV (`.csv.gz`, or a `.gz` holding text that is not XML) is not."""
    lower = name.lower()
    if lower.endswith((".xes", ".xes.gz")):
        return True
    if data[:2] == _GZIP_MAGIC:
        return _looks_like_xml(_gzip_head(data))
    return _looks_like_xml(data[:4096])


def _looks_like_xml(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<log"))


def _gzip_head(data: bytes, size: int = 4096) -> bytes:
    """The first bytes a gzip file unpacks to (at most `size`: never the whole file), or b'' when it is
    damaged."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], size)
    except zlib.error:
        return b""


class _Counted(io.RawIOBase):
    """A stream that counts what passes through it against the byte budget (unpacked bytes: headers lie)."""

    def __init__(self, inner: IO[bytes], name: str) -> None:
        self.inner, self.name, self.seen = inner, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self.inner.read(len(buffer))
        self.seen += len(chunk)
        if self.seen > limits.DEMAND_BYTES.value:
            raise DemandFileError(limits.DEMAND_BYTES.message(f"{self.name} (unpacked)", self.seen))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _drop(elem: Any, open_elements: list[Any]) -> None:
    """Forget a finished element: its content, and its place in its parent (so a trace of a million events,
    or a log of a million traces, does not keep a million empty elements)."""
    elem.clear()
    if open_elements:
        with contextlib.suppress(ValueError):
            open_elements[-1].remove(elem)


def read_xes(data: bytes, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The events of an XES log as a table of text (one row per event, trace attributes as `case:...`), and
    each event's number (1-based, in file order) for messages."""
    stream = cast(IO[bytes], gzip.GzipFile(fileobj=io.BytesIO(data)) if data[:2] == _GZIP_MAGIC
                  else io.BytesIO(data))
    counted = io.BufferedReader(_Counted(stream, name), 1 << 20)
    columns: dict[str, list[str | None]] = {}
    n = 0
    trace_start = 0
    trace_attrs: dict[str, str] = {}
    stack: list[str] = []
    elements: list[Any] = []  # the open elements, so a finished one can be removed from its parent
    event: dict[str, str] | None = None
    root = None
    max_events = limits.DEMAND_ROWS.value
    try:
        for kind, elem in safe_et.iterparse(counted, events=("start", "end"), forbid_dtd=True,
                                            forbid_entities=True, forbid_external=True):
            tag = _local(elem.tag)
            if kind == "start":
                if root is None:
                    root = elem
                    if tag != "log":
                        raise DemandFileError(f"{name}: not an XES event log (its first element is <{tag}>, "
                                              "not <log>).")
                stack.append(tag)
                elements.append(elem)
                if tag == "trace":
                    trace_attrs, trace_start = {}, n
                elif tag == "event":
                    event = {}
                continue
            stack.pop()
            elements.pop()
            parent = stack[-1] if stack else ""
            if tag in _ATTRIBUTES and parent in ("event", "trace"):
                key = elem.get("key")
                if key is not None:
                    value = elem.get("value") or ""
                    if parent == "event" and event is not None:
                        event[key] = value
                    elif parent == "trace":
                        trace_attrs["case:" + key] = value
            elif tag == "event" and event is not None:
                if n >= max_events:
                    raise DemandFileError(limits.DEMAND_ROWS.message(name, n + 1).replace(" rows,", " events,"))
                for key, value in event.items():
                    col = columns.get(key)
                    if col is None:
                        col = columns[key] = [None] * n
                    col.append(value)
                n += 1
                for col in columns.values():
                    if len(col) < n:
                        col.append(None)
                event = None
                _drop(elem, elements)
            elif tag == "trace":
                for key, value in trace_attrs.items():
                    col = columns.get(key)
                    if col is None:
                        col = columns[key] = [None] * n
                    col[trace_start:n] = [value] * (n - trace_start)
                _drop(elem, elements)
    except DefusedXmlException:
        raise DemandFileError(f"{name}: the XES file declares a DOCTYPE or entities, which an event log never "
                              "needs; it was not read.") from None
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise DemandFileError(f"{name}: the compressed file is cut short or damaged (it ends before its "
                              "end); download or export it again.") from None
    except ParseError as exc:
        where = f" (line {exc.position[0]})" if getattr(exc, "position", None) else ""
        raise DemandFileError(f"{name}: the XES file is not well-formed XML{where}; it may be cut short. "
                              "Export it again.") from None
    if n == 0:
        raise DemandFileError(f"{name}: the XES file holds no events.")
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
    return frame, np.arange(1, n + 1, dtype=np.int64)
