"""How Workbench is being served, and what that allows: a workshop laptop or a shared server.

Why one module: the address the server listens on, whether sign-in is configured and whether the app may
write files into the server's process_maps/ folder are one decision, asked by the CLI (what to warn about in
the terminal) and by the app (whether *Save a copy as a file* is offered). Each answer is a plain function of
its inputs (an address, secrets files, an environment variable), so it is tested without a server.

- A laptop: the server listens on this machine only (127.0.0.1, `workbench app`'s default). Nobody else can
  reach it, so nothing more is asked: the maps folder is the person's own.
- A shared server: sign-in is configured (an `[auth]` section in a secrets file Streamlit reads), or the
  server listens beyond this machine (`--address 0.0.0.0`, `--share`, or Streamlit's default of every
  interface). Then the maps folder is read-only to the app unless its administrator sets
  WORKBENCH_MAP_FILES=writable.

This module imports nothing of Workbench and never imports Streamlit (docs/access.md).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

LOOPBACK = "127.0.0.1"  # `workbench app` listens here unless told otherwise
EVERY_INTERFACE = "0.0.0.0"  # what `--share` listens on
MAP_FILES_SETTING = "WORKBENCH_MAP_FILES"  # "writable" or "read-only"; unset: writable on a laptop only
WRITABLE, READ_ONLY = "writable", "read-only"
ACCESS_DOC = "docs/access.md"

# a secrets file that does not parse is still read for an [auth] header, so a typo cannot make a server that
# was meant to ask for sign-in look like a laptop to the checks here
_AUTH_HEADER = re.compile(r"^\s*\[\s*auth\s*[\].]", re.MULTILINE)


def secrets_files(cwd: Path | None = None, home: Path | None = None) -> list[Path]:
    """The secrets files Streamlit reads (its `secrets.files` default), in its order: the person's
    `~/.streamlit/secrets.toml`, the project's `.streamlit/secrets.toml` (in the folder the server is started
    from), and the one beside the app's entry script."""
    here = Path.cwd() if cwd is None else cwd
    home_dir = Path.home() if home is None else home
    script = Path(__file__).resolve().parent / "app"
    found: list[Path] = []
    for folder in (home_dir, here, script):
        path = folder / ".streamlit" / "secrets.toml"
        if path not in found:
            found.append(path)
    return found


def _has_auth(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        return isinstance(tomllib.loads(text).get("auth"), dict)
    except tomllib.TOMLDecodeError:
        return bool(_AUTH_HEADER.search(text))


def signin_configured(files: Iterable[Path] | None = None) -> bool:
    """Whether sign-in is configured: an `[auth]` section (Streamlit's `st.login` settings) in one of the
    secrets files Streamlit reads (`secrets_files()` unless `files` is given)."""
    return any(_has_auth(path) for path in (secrets_files() if files is None else files))


def is_loopback(address: str | None) -> bool:
    """Whether a server listening on `address` is reachable from this machine only. Unset or empty is not:
    Streamlit then listens on every interface."""
    if not address or not address.strip():
        return False
    host = address.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything, so it counts as the network
        return False


def shared_server(address: str | None, files: Iterable[Path] | None = None) -> bool:
    """A shared server: sign-in is configured, or the server listens beyond this machine (`address`, the
    effective `server.address`). A laptop is neither."""
    return not is_loopback(address) or signin_configured(files)


def map_files_setting() -> str | None:
    """WORKBENCH_MAP_FILES as given ("writable" or "read-only"), or None when unset or not one of those."""
    raw = os.environ.get(MAP_FILES_SETTING, "").strip().lower().replace("_", "-")
    return raw if raw in (WRITABLE, READ_ONLY) else None


def map_files_writable(address: str | None, files: Iterable[Path] | None = None) -> bool:
    """Whether the app may write files into process_maps/ (*Save a copy as a file*): on a laptop yes, on a
    shared server no, unless WORKBENCH_MAP_FILES says otherwise (an administrator's choice, either way)."""
    setting = map_files_setting()
    if setting is not None:
        return setting == WRITABLE
    return not shared_server(address, files)


def read_only_reason() -> str:
    """Why *Save a copy as a file* is not offered, in a sentence for the person at the page."""
    if map_files_setting() == READ_ONLY:
        return "Saving files into process_maps/ is switched off on this server."
    return ("This is a shared server, so its process_maps/ folder is read-only to the app: nobody can replace "
            "the maps other people use.")


def network_notice(address: str | None, port: int, files: Iterable[Path] | None = None) -> list[str]:
    """What `workbench app` says in the terminal about who can reach the server: nothing on a laptop; a plain
    warning when it listens beyond this machine and nobody is asked to sign in."""
    lines: list[str] = []
    if not is_loopback(address):
        where = f"{address}:{port}" if address else f"every network interface, port {port}"
        lines.append(f"Workbench is listening on {where}: other computers on the network can reach it.")
        if signin_configured(files):
            lines.append("Sign-in is configured, so every page asks people to sign in first.")
        else:
            lines.append("WARNING: sign-in is not configured, so ANYONE who can reach this address can open, "
                         "change, export and delete EVERY study. Set up sign-in first "
                         f"({ACCESS_DOC}), or run without --address/--share to keep Workbench on this machine only.")
    if not map_files_writable(address, files):
        lines.append(f"The process_maps/ folder is read-only to the app ({MAP_FILES_SETTING}={WRITABLE} allows "
                     "Save a copy as a file).")
    return lines
