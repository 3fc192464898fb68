"""Run a hostile input under a memory and time guard: a child process with an address-space limit (1 GB by
default) and a wall-clock timeout (120 s by default: a safety net against a hang, not a measure of speed, which
lives in benchmarks/), so that a regression shows as a failed test, never as a test machine brought down.

    result = guarded_cli("demand", "summary", str(path))
    assert result.returncode == 2 and "may have at most" in result.stderr

    result = guarded_python("from workbench.flow.model import load_map; load_map('x.yaml')")

The child is `python -c ...` from this virtualenv, with the test's environment (settings such as
WORKBENCH_MAX_* pass through `env`).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

MEMORY_BYTES = 1 << 30  # 1 GB of address space: Python, numpy, pandas and pyarrow start in about 0.5 GB
SECONDS = 120.0


@dataclass
class Guarded:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def out_of_memory(self) -> bool:
        return "MemoryError" in self.stderr or "std::bad_alloc" in self.stderr or "Cannot allocate" in self.stderr

    def no_traceback(self) -> bool:
        return "Traceback (most recent call last)" not in self.stderr + self.stdout


def _limits(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def guarded_python(code: str, *, memory: int = MEMORY_BYTES, seconds: float = SECONDS,
                   env: Mapping[str, str] | None = None, cwd: str | None = None) -> Guarded:
    """Run `code` in a fresh interpreter under the guard. A timeout is reported, not raised."""
    full_env = {**os.environ, **(env or {}), "PYTHONFAULTHANDLER": "1"}
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds,
                              env=full_env, cwd=cwd, preexec_fn=lambda: _limits(memory), check=False)
    except subprocess.TimeoutExpired as exc:
        return Guarded(-9, _text(exc.stdout), _text(exc.stderr), True)
    return Guarded(done.returncode, done.stdout, done.stderr, False)


def guarded_cli(*argv: str, memory: int = MEMORY_BYTES, seconds: float = SECONDS,
                env: Mapping[str, str] | None = None, cwd: str | None = None) -> Guarded:
    """`workbench ARGV...` under the guard (through `workbench.cli.main`, as the console script runs it)."""
    code = f"import sys; from workbench.cli import main; sys.exit(main({list(argv)!r}))"
    return guarded_python(code, memory=memory, seconds=seconds, env=env, cwd=cwd)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
