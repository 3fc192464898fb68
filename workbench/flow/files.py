"""A copy of a map saved as a file in process_maps/ (the Flow page's *Save a copy as a file*).

Why its own function: the folder holds the maps everyone opens (the samples among them), so writing into it is
refused on a shared server unless its administrator allows it (workbench.serving.map_files_writable), and an
existing file is never replaced unless the person chose to overwrite that very file: pressing Save again is
not a choice. The check and the write are one step (a hard link, which fails when the name is taken), so two
people saving the same name at once cannot overwrite each other either.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workbench import serving


class MapFileRefused(Exception):
    """The copy was not written; the message says why, in a sentence for the person at the page."""


class MapFileExists(MapFileRefused):
    """A different file of that name is already there, and overwriting it was not chosen."""


def save_copy(text: str, target: Path, *, address: str | None, overwrite: bool = False) -> Path:
    """Write `text` to `target` (a file in process_maps/) and return it.

    `address` is the address the server listens on (the effective `server.address`): it and the sign-in
    settings decide whether the folder may be written at all (MapFileRefused if not). An existing file with
    other text is replaced only with `overwrite=True` (else MapFileExists); one with this very text is left as
    it is.
    """
    if not serving.map_files_writable(address):
        raise MapFileRefused(f"{serving.read_only_reason()} Nothing was written; download the YAML instead.")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    if not overwrite and _same_text(target, text):
        return target
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if overwrite:
            tmp.replace(target)  # replaces the name itself: a link planted there is not followed
        else:
            try:
                _link_new(tmp, target, text)
            except FileExistsError:
                if _same_text(target, text):
                    return target
                raise MapFileExists(f"{target.name} already exists in process_maps/ with other contents, so it "
                                    "was not replaced.") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _link_new(tmp: Path, target: Path, text: str) -> None:
    """Give `tmp` the name `target` only if that name is free (FileExistsError if not, even if it was taken a
    moment ago). A file system without hard links creates the name exclusively and writes it instead."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        with target.open("x", encoding="utf-8") as out:
            out.write(text)


def _same_text(path: Path, text: str) -> bool:
    try:
        return path.is_file() and path.read_text(encoding="utf-8-sig") == text
    except (OSError, UnicodeDecodeError):
        return False
