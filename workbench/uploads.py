"""Files uploaded to the app, taken in before any reader sees them: one size cap for every upload.

Why here and not only in Streamlit's upload box: the box's limit (server.maxUploadSize) is a setting of the
server, which someone can start with another one, and a page test or a script can hand the app bytes without a
browser. Every upload path (demand file, event log, catalogue, process map, study zip) calls one of these two
functions first, so an over-size file is refused in one sentence naming the file and the limit, before a byte
of it is decoded or parsed, and nothing the person had is changed.
"""

from __future__ import annotations

from typing import Literal

from workbench import limits

Kind = Literal["demand file", "event log", "catalogue", "process map", "study export"]
YAML_KINDS: tuple[Kind, ...] = ("catalogue", "process map")


def accept(name: str, data: bytes, kind: Kind) -> bytes:
    """`data` when it is within the upload cap (and, for a map or catalogue, within the YAML budget); else
    `limits.LimitError` naming `name` and the limit."""
    limits.check_upload(name, len(data))
    if kind in YAML_KINDS:
        limits.YAML_BYTES.check(len(data), name)
    return data


def accept_text(name: str, data: bytes, kind: Kind) -> str:
    """An uploaded map or catalogue as text (a byte-order mark dropped, undecodable bytes shown as �), once
    `accept` has let it in."""
    return accept(name, data, kind).decode("utf-8-sig", errors="replace")
