"""No study export can take Workbench down (the issue's row 13): a zip whose checksums are right but whose
content is wrong is refused whole, in one sentence, before anything is written; and a study whose stored
content is wrong anyway (an older Workbench, a bug) shows a plain message on that part of a page, never a
traceback.

Every hostile input is built here: an export of a small study, one member changed, its SHA-256 in study.json
recomputed so only the content check can catch it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from app_helpers import APP
from app_pages import FlowScreen, open_app
from flow_fixtures import SMALL_MAP as MAP
from guard import guarded_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from workbench.store import archive, db, studies
from workbench.store.archive import ArchiveError
from workbench.store.models import (
    ComparisonRunRow,
    CorrectionRow,
    DemandSourceRow,
    MapRow,
    MapVersionRow,
    StudyRow,
    utcnow,
)

ROOT = Path(__file__).resolve().parent.parent
MODELS = (StudyRow, DemandSourceRow, CorrectionRow, MapRow, MapVersionRow, ComparisonRunRow)
CSV = b"Date,Type,V/F\r\n05/01/2026,Report a leak,\r\n05/01/2026,Chasing a repair,\r\n06/01/2026,Report a leak,V\r\n"
CATALOGUE = "types:\n  - type: Report a leak\n    nature: value\n  - type: Chasing a repair\n    nature: failure\n"
SUMMARY = {"weeks": 2.0, "replications": 1, "seed": 1, "demands_per_replication": 3, "snapshot_version": 1,
           "designs": [{"name": "As is", "design": "", "source": "As is", "metrics": {"one_stop_share": 0.5},
                        "intervals": {"one_stop_share": [0.4, 0.6]}}],
           "headline": "", "table": [{"metric": "one_stop_share", "label": "One-stop", "design": "As is",
                                      "mean": 0.5, "low": 0.4, "high": 0.6, "difference": 0.0,
                                      "difference_low": 0.0, "difference_high": 0.0}],
           "e2e_distribution": [{"design": "As is", "share": 0.5, "days": 1.5}],
           "capability": {"As is": [{"day": "2026-01-05T00:00:00", "phase": 0, "value": 1.0, "centre": 1.0,
                                     "lower_limit": 0.0, "upper_limit": 2.0, "moving_range": None,
                                     "signal": False}]}}


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and message[0].isupper()


def counts(session: Session) -> dict[str, int]:
    session.expunge_all()
    with session.begin():
        return {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0) for m in MODELS}


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def repack(content: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in content.items():
            zf.writestr(name, body)
    return buffer.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rewrite(data: bytes, change: Callable[[dict[str, Any], dict[str, bytes]], None]) -> bytes:
    """The export with `change(study_json, members)` applied and every checksum in study.json recomputed."""
    content = members(data)
    doc = json.loads(content["study.json"])
    change(doc, content)
    for src in doc["demand_sources"]:
        src["sha256"] = _sha(content[src["file"]])
        if src.get("catalogue_file"):
            src["catalogue_sha256"] = _sha(content[src["catalogue_file"]])
    for mp in doc["maps"]:
        for v in mp["versions"]:
            v["sha256"] = _sha(content[v["file"]])
    for r in doc["comparison_runs"]:
        r["sha256"] = _sha(content[r["file"]])
    content["study.json"] = json.dumps(doc).encode()
    return repack(content)


def make_study(session: Session, name: str = "Hostile") -> studies.Study:
    made = studies.create_study(session, name)
    studies.set_demand_source(session, made.id, "d.csv", CSV, catalogue_text=CATALOGUE,
                              mapping={"received_at": "Date", "demand_type": "Type", "nature": "V/F"})
    studies.add_correction(session, made.id, 2, "nature", "failure", "Ann", 0)
    studies.save_map_version(session, made.id, "As is", MAP, "Ann", None)
    studies.save_map_version(session, made.id, "As is", MAP.replace("touch: 6", "touch: 7"), "Ann", 1)
    studies.save_comparison_run(session, made.id, {"map_versions": {"As is": 2}, "demand": "d.csv"}, SUMMARY,
                                "Ann")
    return made


@pytest.fixture
def exported(session: Session) -> bytes:
    made = make_study(session)
    return archive.export_study(session, made.id)


def _map_text(text: str) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    def change(doc: dict[str, Any], content: dict[str, bytes]) -> None:
        content[doc["maps"][0]["versions"][1]["file"]] = text.encode()
    return change


def _comparison(summary: Any = None, settings_: Any = None) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    def change(doc: dict[str, Any], content: dict[str, bytes]) -> None:
        file = doc["comparison_runs"][0]["file"]
        body = json.loads(content[file])
        if summary is not None:
            body["summary"] = summary
        if settings_ is not None:
            body["settings"] = settings_
        content[file] = json.dumps(body).encode()
    return change


def _mapping(value: Any) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    def change(doc: dict[str, Any], content: dict[str, bytes]) -> None:
        doc["demand_sources"][0]["mapping"] = value
    return change


def _catalogue(text: str) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    def change(doc: dict[str, Any], content: dict[str, bytes]) -> None:
        content[doc["demand_sources"][0]["catalogue_file"]] = text.encode()
    return change


REFUSED = {
    "map text that is a sentence": (_map_text("This is not a map at all."), "Map 'As is' version 2"),
    "map text that is a list": (_map_text("- a\n- b\n"), "Map 'As is' version 2"),
    "map text that is not YAML": (_map_text("name: [unclosed\n  - x: {"), "Map 'As is' version 2"),
    "a list as column mapping": (_mapping(["Date", "Type"]), "demand_sources[1].mapping should be an object"),
    "an unknown field in the mapping": (_mapping({"colour": "Type"}), "'colour', which is not a demand field"),
    "a number as a mapped column": (_mapping({"received_at": 5}), "demand_sources[1].mapping.received_at should "
                                                                  "be text"),
    "a summary whose table is a number": (_comparison({"table": 5}), "table should be a list of rows"),
    "a summary table naming an unknown design": (
        _comparison({**SUMMARY, "table": [{**SUMMARY["table"][0], "design": "Nobody"}]}),
        "table[1].design should be one of the designs listed"),
    "a capability day that is not a date": (
        _comparison({**SUMMARY, "capability": {"As is": [{"day": "soon"}]}}), "capability.As is[1].day"),
    "a design without a name": (_comparison({**SUMMARY, "designs": [{"metrics": {}}]}), "designs[1].name"),
    "a headline that is a list": (_comparison({**SUMMARY, "headline": ["x"]}), "headline should be text"),
    "map versions that are text": (_comparison(settings_={"map_versions": "As is"}), "settings.map_versions"),
    "a catalogue that is not one": (_catalogue("- just\n- a list\n"), "The catalogue 'demand/1-catalogue.yaml'"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_content_with_right_checksums_is_refused_and_nothing_is_stored(session: Session, exported: bytes,
                                                                           case: str) -> None:
    change, expected = REFUSED[case]
    hostile = rewrite(exported, change)
    before = counts(session)
    with pytest.raises(ArchiveError) as refused:
        archive.import_study(session, hostile)
    message = str(refused.value)
    assert expected in message, message
    assert one_sentence(message), message
    assert counts(session) == before


def test_the_untouched_export_still_imports(session: Session, exported: bytes) -> None:
    """The rewrite itself changes nothing a check minds: the same zip, rewritten, imports whole."""
    made = archive.import_study(session, rewrite(exported, lambda doc, content: None))
    assert [v.version for v in studies.list_map_versions(session, made.id, "As is")] == [1, 2]


def test_a_map_with_mistakes_imports_as_the_flow_page_saved_it(session: Session, exported: bytes) -> None:
    """A map that reads but has mistakes (a route to a step that is not there) is a state the Flow page saves
    (docs/storage.md: merges can leave one); refusing it would make such a study impossible to export."""
    broken = MAP.replace("- to: process", "- to: nowhere")
    made = archive.import_study(session, rewrite(exported, _map_text(broken)))
    assert studies.get_map_version(session, made.id, "As is").yaml_text == broken


def test_limits_apply_to_what_an_export_holds(session: Session, exported: bytes,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = counts(session)
    monkeypatch.setenv("WORKBENCH_MAX_DEMAND_BYTES", "50")
    with pytest.raises(ArchiveError, match=r"demand file 'demand/1-d.csv'.*over a limit.*WORKBENCH_MAX_DEMAND_BYTES"):
        archive.import_study(session, exported)
    monkeypatch.delenv("WORKBENCH_MAX_DEMAND_BYTES")
    monkeypatch.setenv("WORKBENCH_MAX_YAML_BYTES", "100")
    with pytest.raises(ArchiveError, match=r"over a limit.*WORKBENCH_MAX_YAML_BYTES"):
        archive.import_study(session, exported)
    monkeypatch.delenv("WORKBENCH_MAX_YAML_BYTES")
    monkeypatch.setenv("WORKBENCH_MAX_ZIP_MEMBERS", "3")
    with pytest.raises(ArchiveError, match=r"more than the 3 .*WORKBENCH_MAX_ZIP_MEMBERS"):
        archive.import_study(session, exported)
    assert counts(session) == before


def _bomb(path: Path, size: int) -> None:
    """A study export whose demand file is `size` zero bytes, checksums right: a few hundred kB on disk."""
    digest = hashlib.sha256()
    chunk = bytes(1 << 20)
    info = zipfile.ZipInfo("demand/1-d.csv")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open(info, "w", force_zip64=True) as out:
            left = size
            while left:
                part = chunk[: min(left, len(chunk))]
                out.write(part)
                digest.update(part)
                left -= len(part)
        doc = {"format": "workbench-study", "format_version": 1, "exported_at": "2026-11-02T10:31:00+00:00",
               "workbench_version": "x", "corrections": "corrections.csv",
               "study": {"name": "Bomb", "description": "", "archived": False,
                         "created_at": "2026-11-02T10:31:00+00:00", "updated_at": "2026-11-02T10:31:00+00:00"},
               "demand_sources": [{"file": "demand/1-d.csv", "name": "d.csv", "mapping": {}, "date_order": None,
                                   "sheet": None, "header_row": None, "catalogue_file": None,
                                   "catalogue_sha256": None, "created_at": "2026-11-02T10:31:00+00:00",
                                   "created_by": "", "sha256": digest.hexdigest(), "corrections": []}],
               "maps": [], "comparison_runs": []}
        zf.writestr("study.json", json.dumps(doc))
        zf.writestr("corrections.csv", "source,row\n")


def test_a_small_zip_that_would_store_450_mb_is_refused_by_the_command_line(tmp_path: Path) -> None:
    """The issue's case: a 530 kB zip whose demand file is 450 MB of zeros, every checksum right. Refused
    from the zip's directory (more than ZIP_RATIO times its size), under 1 GB and 30 s, nothing stored."""
    bomb = tmp_path / "bomb.zip"
    _bomb(bomb, 450 * 2**20)
    assert bomb.stat().st_size < 600_000
    env = {"WORKBENCH_DATABASE_URL": f"sqlite:///{tmp_path / 'wb.db'}"}
    result = guarded_cli("study", "import", str(bomb), env=env)
    assert not result.timed_out and result.no_traceback(), result.stderr[-2000:]
    assert result.returncode == 2
    assert "more than 200 times its own size" in result.stderr and "WORKBENCH_MAX_ZIP_RATIO" in result.stderr
    listed = guarded_cli("study", "list", "--all", "--format", "json", env=env)
    assert listed.returncode == 0 and "Bomb" not in listed.stdout


def _laughs(levels: int = 9) -> str:
    """Nested aliases: a few hundred bytes that stand for 10**levels values once expanded."""
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nname: m\nsteps: *a{levels - 1}\n"


GUARDED = {  # run only under the guard: a regression here would hang or exhaust the process
    **{case: REFUSED[case] for case in ("map text that is a sentence", "a summary whose table is a number",
                                        "a list as column mapping")},
    "a map version of nested aliases": (_map_text(_laughs()), "WORKBENCH_MAX_YAML_NODES"),
    "a catalogue of nested aliases": (_catalogue(_laughs()), "WORKBENCH_MAX_YAML_NODES"),
    "a map version nested 500 deep": (_map_text("steps: " + "[" * 500 + "]" * 500),
                                         "WORKBENCH_MAX_YAML_DEPTH"),
}


@pytest.mark.parametrize("case", list(GUARDED))
def test_the_command_line_refuses_bad_content_in_one_line(tmp_path: Path, case: str) -> None:
    url = f"sqlite:///{tmp_path / 'wb.db'}"
    eng = db.engine_for(url)
    db.migrate(eng)
    with db.sessions(eng)() as s:
        data = archive.export_study(s, make_study(s).id)
    eng.dispose()
    change, expected = GUARDED[case]
    path = tmp_path / "hostile.zip"
    path.write_bytes(rewrite(data, change))
    result = guarded_cli("study", "import", str(path), env={"WORKBENCH_DATABASE_URL": url})
    assert result.returncode == 2 and result.no_traceback(), result.stderr
    assert expected in result.stderr and result.stderr.count("\n") == 1


# ------------------------------------------------------------------------------------------ fuzzing the content


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, bytes]]:
    eng = db.engine_for(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'workbench.db'}")
    db.migrate(eng)
    with db.sessions(eng)() as s:
        data = archive.export_study(s, make_study(s, "Fuzz").id)
        yield s, data
    eng.dispose()


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCALAR = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | \
    st.text(max_size=20)
JSON = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["table", "designs", "name", "metric", "design", "mean", "capability", "day", "headline",
                     "e2e_distribution", "share", "days", "weeks", "replications", "map_versions", "demand",
                     "received_at", "demand_type", "x"]) | st.text(max_size=8), inner, max_size=4), max_leaves=12)
YAML_SCALAR = st.one_of(st.integers(), st.text(max_size=12), st.booleans(), st.none(),
                        st.sampled_from(["[", "{", "*a", "&a x", "!!python/object:os.system", "- ", ": ", "~",
                                         "'", '"', "\t", "%YAML 1.1", "---", "...", "? ", "|", ">"]))


def _yaml_text(draw: st.DrawFn) -> str:
    """Random YAML: a map with random values in its fields, or random lines of YAML-ish tokens."""
    if draw(st.booleans()):
        import yaml

        doc = draw(st.dictionaries(st.sampled_from(["name", "roles", "steps", "entry", "failure_demand", "id",
                                                    "routes", "touch", "wait", "to", "probability"]),
                                   st.recursive(YAML_SCALAR.filter(lambda v: not isinstance(v, str) or v.isalnum()),
                                                lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                                    st.sampled_from(["id", "name", "role", "touch", "routes", "to",
                                                                     "staff", "wait", "default", "touchpoints"]),
                                                    inner, max_size=4), max_leaves=15), max_size=6))
        return yaml.safe_dump(doc)
    lines = draw(st.lists(st.lists(YAML_SCALAR.map(str), max_size=4).map(" ".join), max_size=8))
    return "\n".join(lines)


@st.composite
def content_change(draw: st.DrawFn) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    where = draw(st.sampled_from(["map", "summary", "settings", "mapping", "catalogue", "summary key"]))
    if where == "map":
        return _map_text(_yaml_text(draw))
    if where == "catalogue":
        return _catalogue(_yaml_text(draw))
    if where == "summary":
        return _comparison(draw(JSON))
    if where == "summary key":
        key = draw(st.sampled_from(sorted(SUMMARY)))
        return _comparison({**SUMMARY, key: draw(JSON)})
    if where == "settings":
        return _comparison(settings_=draw(st.dictionaries(st.sampled_from(["map_versions", "demand", "key"]), JSON,
                                                          max_size=3)))
    return _mapping(draw(JSON))


@FUZZ
@given(content_change())
def test_random_content_with_right_checksums_is_refused_or_imported_whole(
        fuzz_store: tuple[Session, bytes], change: Callable[[dict[str, Any], dict[str, bytes]], None]) -> None:
    session, good = fuzz_store
    hostile = rewrite(good, change)
    before = counts(session)
    try:
        made = archive.import_study(session, hostile)
    except ArchiveError as exc:
        assert one_sentence(str(exc)), str(exc)
        assert counts(session) == before  # never half stored
    else:  # imported whole: every part there
        after = counts(session)
        assert after["studies"] == before["studies"] + 1
        assert after["map_versions"] == before["map_versions"] + 2
        assert after["comparison_runs"] == before["comparison_runs"] + 1
        assert after["demand_sources"] == before["demand_sources"] + 1
        studies.delete_study(session, made.id)


# ------------------------------------------------------------------------------------------ errors people see
# (the row 15) A page's unexpected error is one plain sentence and a reference; the traceback, the
# database's address and server paths go to the server's log only.

REFERENCE = re.compile(r"Something went wrong on this page \(reference ([0-9A-F]{6})\)\. Your work is saved; "
                       r"tell whoever runs Workbench this reference\.")


def _page_text(at: AppTest) -> str:
    """Every message, caption, markdown, title, heading and label the page shows, as one text."""
    parts: list[str] = []
    for kind in ("error", "warning", "info", "success", "caption", "markdown", "title", "header", "subheader",
                 "exception", "toast"):
        try:
            parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
        except (AttributeError, KeyError):
            continue
    for kind in ("metric", "selectbox", "text_input", "button", "expander", "tabs", "radio", "checkbox"):
        try:
            parts += [str(getattr(e, "label", "")) for e in getattr(at, kind)]
        except (AttributeError, KeyError):
            continue
    return "\n".join(parts)


def test_an_unexpected_error_on_a_page_is_a_sentence_and_a_reference(monkeypatch: pytest.MonkeyPatch,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    at = open_app("studies")

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom in /srv/workbench/secret/settings.py")

    monkeypatch.setattr(studies, "list_maps", broken)
    with caplog.at_level(logging.ERROR, logger="workbench.app"):
        at.switch_page("views/compare.py").run()
    assert not at.exception
    shown = _page_text(at)
    found = REFERENCE.search(shown)
    assert found, shown
    assert "/srv/workbench" not in shown and "Traceback" not in shown and "boom" not in shown
    logged = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the server's log, with the reference
    assert any(b.label == "Your name" for b in at.text_input)  # the sidebar is still there


def test_st_rerun_and_st_stop_are_not_caught() -> None:
    """The guard catches Exception; Streamlit's control flow is BaseException (ScriptControlException)."""
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

    assert not issubclass(RerunException, Exception) and not issubclass(StopException, Exception)


def test_a_database_that_cannot_be_reached_shows_no_address_or_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", "postgresql+psycopg://wbadmin:s3cret@127.0.0.1:1/workbench_prod")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    shown = _page_text(at)
    assert "cannot be reached just now (reference" in shown, shown
    for secret in ("s3cret", "127.0.0.1", "workbench_prod", "wbadmin", "psycopg", "postgresql"):
        assert secret not in shown, secret


def test_a_locked_database_shows_no_server_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    at = open_app("studies")

    def locked(*_: Any, **__: Any) -> None:
        raise OperationalError("SELECT studies.id FROM studies", {}, Exception(
            f"database is locked ({tmp_path / 'workbench-data' / 'workbench.db'})"))

    monkeypatch.setattr(studies, "list_studies", locked)
    at.run()
    assert not at.exception
    shown = _page_text(at)
    assert "busy or cannot be reached just now (reference" in shown, shown
    for secret in (str(tmp_path), "workbench.db", "sqlite", "SELECT", "locked"):
        assert secret not in shown, secret


def test_streamlit_is_told_to_show_no_error_details_wherever_the_app_starts(monkeypatch: pytest.MonkeyPatch
                                                                          ) -> None:
    import tomllib

    from streamlit.config import ShowErrorDetailsConfigOptions

    from workbench import cli

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value == "none"
    started: list[list[str]] = []
    monkeypatch.setattr(cli, "_serve", lambda command, env: started.append(command) or 0)
    assert cli.main(["app", "--port", "8599", "--headless"]) == 0
    (command,) = started
    i = command.index("--client.showErrorDetails")
    assert command[i + 1] == "none"
    # and it does not watch its own files for changes (a scan of the loaded modules for every new session)
    assert command[command.index("--server.fileWatcherType") + 1] == "none"


# ------------------------------------------------------------------------------------------ text from data
# (the row 14) Markdown and HTML in names, words, types, map text and headlines display literally.

HOSTILE = "![x](http://127.0.0.1:9/x.png) **b**"
ESCAPED = "!\\[x\\](http\\://127.0.0.1:9/x.png) \\*\\*b\\*\\*"  # literal(HOSTILE)


def _hostile_map(design: str, touch: int) -> str:
    quoted = json.dumps(f"{HOSTILE} {design}")  # JSON strings are YAML strings
    return (MAP.replace("name: Small service", f"name: {quoted}\ndescription: {json.dumps(HOSTILE)}")
            .replace("design: standard-work", f"design: {design}")
            .replace("name: Answer", f"name: {json.dumps(HOSTILE + ' answer')}")
            .replace("name: Back office", f"name: {json.dumps(HOSTILE + ' office')}")
            .replace("touch: 6", f"touch: {touch}"))


def _hostile_csv() -> bytes:
    lines = ["Date,Touchpoint,Type,V/F,Words"]
    for day in range(5, 26):
        for k in range(3):
            kind = "V" if k else "F"
            lines.append(f'{day:02d}/01/2026 09:{k:02d},"{HOSTILE} phone","{HOSTILE} type {k}",{kind},'
                         f'"{HOSTILE} <img src=x> words {k}"')
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def hostile_study() -> int:
    with db.sessions(db.engine_for())() as s:
        db.migrate(s.get_bind())  # type: ignore[arg-type]
        made = studies.create_study(s, HOSTILE, f"{HOSTILE} <img src=x> [a](javascript:alert(1)) $x$ :red[x]")
        studies.set_demand_source(s, made.id, f"{HOSTILE}.csv", _hostile_csv(), author=HOSTILE,
                                  mapping={"received_at": "Date", "touchpoint": "Touchpoint", "demand_type": "Type",
                                           "nature": "V/F", "customer_words": "Words"}, date_order="day-first")
        studies.save_map_version(s, made.id, f"{HOSTILE} as is", _hostile_map("standard-work", 6), HOSTILE, None)
        studies.save_map_version(s, made.id, f"{HOSTILE} redesign", _hostile_map("worker-led", 4), HOSTILE, None)
        return made.id


def _all_text(at: AppTest) -> list[str]:
    """Every text the page gives Streamlit to render as Markdown: messages, captions, headings, labels, tab and
    expander names, radio options, st.table cells and headers."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success",
                 "toast"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("metric", "expander", "tabs", "button", "checkbox", "toggle", "text_input", "number_input",
                 "selectbox", "multiselect", "radio"):
        out += [str(e.label) for e in getattr(at, kind)]
        out += [str(getattr(e, "help", "") or "") for e in getattr(at, kind)]
    for radio in at.radio:
        out += [str(o) for o in radio.options]
    for table in at.table:
        frame = table.value
        out += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    return out


def _assert_literal(at: AppTest, page: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = _all_text(at)
    unescaped = [re.sub(r"\\.", "", t) for t in texts]  # what is left once every backslash escape is removed
    raw = [t for t in unescaped if any(m in t for m in ("![", "**b**", "<img", "](", ":red[", "$x$", "http:"))]
    assert not raw, (page, raw)
    assert any(ESCAPED in t for t in texts), (page, texts)  # the name is there, escaped


@pytest.mark.parametrize("page", ["studies", "demand", "flow", "compare", "dashboard"])
def test_markdown_and_html_from_data_display_literally(hostile_study: int, page: str) -> None:
    at = open_app(page, author="Ann", study=str(hostile_study))
    if page == "dashboard":  # with a comparison shown on the dashboard: run on the Compare page, then published
        at.switch_page("views/compare.py").run()
        assert not at.exception, [e.value for e in at.exception]
        _assert_literal(at, "compare")
        anyway = [b for b in at.button if b.label == "Run the comparison anyway"]  # maps that do not know it
        if anyway:
            anyway[0].click().run()
        next(b for b in at.button if b.label == "Show on the dashboard").click().run()
        assert not at.exception, [e.value for e in at.exception]
        with db.sessions(db.engine_for())() as s:
            assert studies.latest_comparison_run(s, hostile_study) is not None
        at.switch_page("views/dashboard.py").run()
        assert at.table and not any("cannot be shown" in w.value for w in at.warning)  # the comparison is drawn
    if page == "demand":
        at.switch_page("views/demand.py").run()
    _assert_literal(at, page)


def test_the_managers_dashboard_alone_shows_names_literally(hostile_study: int) -> None:
    at = open_app(None, view="dashboard", study=str(hostile_study))
    _assert_literal(at, "dashboard link")
    assert any(ESCAPED in t.value for t in at.title)


# ------------------------------------------------------------------------------------------ wrong anyway
# (the row 13, second half) Content that is wrong in the store already (an older Workbench, a bug,
# a lower limit): written straight into the store here. The part that cannot be shown says so; the rest of
# the page is drawn; never a traceback.


def unescape(text: str) -> str:
    """Shown text as a person reads it (Markdown's backslash escapes resolved)."""
    return re.sub(r"\\(.)", r"\1", text)


def _store() -> Session:
    eng = db.engine_for()
    db.migrate(eng)
    return db.sessions(eng)()


def _raw_version(session: Session, study_id: int, name: str, text: str) -> None:
    """A map version written straight into the tables (the store's API would refuse a text that is no map). Like
    every writer of the store it moves the study's `updated_at`, which is how the app knows the study changed."""
    with session.begin():
        found = session.scalars(select(MapRow).where(MapRow.study_id == study_id, MapRow.name == name)).one()
        latest = max(v.version for v in found.versions)
        session.add(MapVersionRow(map_id=found.id, version=latest + 1, yaml_text=text, author="Bob", note="",
                                  created_at=utcnow()))
        session.get_one(StudyRow, study_id).updated_at = utcnow()
    session.expunge_all()


@pytest.fixture
def stored_wrong() -> int:
    """A study whose latest comparison summary is `{"table": 5}`, whose map 'Broken' has a readable version 1
    and a version 2 that is not a map, beside a good map, and whose demand file reads."""
    with _store() as s:
        made = studies.create_study(s, "Wrong anyway")
        studies.set_demand_source(s, made.id, "d.csv", _hostile_csv(), date_order="day-first",
                                  mapping={"received_at": "Date", "demand_type": "Type", "nature": "V/F"})
        studies.save_map_version(s, made.id, "Good", MAP, "Ann", None)
        studies.save_map_version(s, made.id, "Broken", MAP, "Ann", None)
        _raw_version(s, made.id, "Broken", "This is not a map at all.")
        studies.save_comparison_run(s, made.id, {"map_versions": {"Good": 1}}, {"table": 5}, "Ann")
        return made.id


def test_the_dashboard_says_a_stored_comparison_cannot_be_shown_and_shows_the_demand(stored_wrong: int) -> None:
    at = open_app(None, view="dashboard", study=str(stored_wrong))
    assert not at.exception, [e.value for e in at.exception]
    assert any("The latest comparison stored in this study cannot be shown" in w.value for w in at.warning)
    assert any(m.label == "Demands" for m in at.metric)  # the demand part is drawn
    assert any("Last changed" in c.value for c in at.caption)  # and what follows the comparison


def test_the_flow_page_says_which_map_version_does_not_read_and_restores_one_that_does(stored_wrong: int) -> None:
    at = open_app("flow", author="Ann", study=str(stored_wrong))  # 'Broken' is the study's first map
    assert any("Map 'Broken' version 2 cannot be read" in w.value for w in at.warning), [w.value for w in at.warning]
    page = FlowScreen(at)
    page.choose("Process map", "Good")  # the other maps are one choice away
    page.press("Open")
    assert not at.exception, [e.value for e in at.exception]
    assert page.working.name == "Good"
    page.choose("Process map", "Broken")
    page.press("Open")
    assert any("Map 'Broken' cannot be read, so it was not opened" in e.value for e in at.error)
    assert page.working.name == "Good"  # the map on screen is unchanged

    with _store() as s:  # the map on screen itself gets a version that does not read (someone else, a bug)
        _raw_version(s, stored_wrong, "Good", "- not\n- a map\n")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Map 'Good' version 2 cannot be read" in w.value for w in at.warning)
    page.press("Restore version 1 of 'Good' as the newest")
    assert not at.exception, [e.value for e in at.exception]
    assert page.working.name == "Good" and page.working.stored_version == 3
    with _store() as s:
        assert studies.get_map_version(s, stored_wrong, "Good").yaml_text == MAP


def test_the_compare_page_leaves_out_a_map_that_does_not_read(stored_wrong: int) -> None:
    at = open_app("compare", author="Ann", study=str(stored_wrong))
    assert not at.exception, [e.value for e in at.exception]
    assert any("These maps' latest versions cannot be read" in w.value and "Broken" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["demand", "dashboard", "compare", "flow"])
def test_a_stored_demand_file_that_no_longer_reads_is_a_sentence(stored_wrong: int, page: str) -> None:
    with _store() as s:  # read with a column the file does not have (an older Workbench, a bug)
        studies.set_demand_source(s, stored_wrong, "d.csv", _hostile_csv(), date_order="day-first",
                                  mapping={"received_at": "When it came", "demand_type": "Type"})
    if page == "dashboard":
        at = open_app(None, view="dashboard", study=str(stored_wrong))
    else:
        at = open_app(page, author="Ann", study=str(stored_wrong))
        if page == "demand":
            at.switch_page("views/demand.py").run()
        if page == "flow":  # the study's first map, 'Broken', does not read: open the other
            FlowScreen(at).choose("Process map", "Good")
            FlowScreen(at).press("Open")
    assert not at.exception, [e.value for e in at.exception]
    assert any("demand file d.csv cannot be read now" in unescape(w.value) and "When it came" in unescape(w.value)
               for w in at.warning), [w.value for w in at.warning]
    assert not REFERENCE.search(_page_text(at))  # said as what it is, not as an unexpected error
