"""No map or catalogue can take Workbench down (the issue's rows 7-12): each hostile input is built here and
run through the CLI under the guard (a child under 1 GB / 30 s), and uploads through AppTest: one sentence
naming the file (and the limit and its setting), no traceback, nothing stored, what the person had stays."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from app_pages import FlowScreen, open_app
from flow_fixtures import maps_folder
from guard import guarded_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workbench import limits
from workbench.demand.catalogue import CatalogueError, parse_catalogue
from workbench.flow.model import MapFileError, parse_map, parse_map_text
from workbench.flow.validate import validate_map
from workbench.sim.compare import Comparison, DesignResult

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"

LAUGHS = "".join(f"  {c}: &{c} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
                 for p, c in zip(["", *"abcdefgh"], "abcdefghi", strict=True))
BILLION_LAUGHS = "unused:\n" + LAUGHS  # ~9^9 values once expanded, under a key nobody reads

SMALL = """name: Small
roles:
  - {id: agent, name: Agent, staff: 2}
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - {to: b, otherwise: true}
  - id: b
    role: agent
    touch: 5
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(result, *words: str) -> str:  # noqa: ANN001 - guard.Guarded
    assert not result.timed_out and not result.out_of_memory, result.stderr[-500:]
    assert result.no_traceback(), result.stderr[-2000:]
    assert result.returncode != 0
    text = (result.stdout + result.stderr).strip()
    for word in words:
        assert word in text, text
    return text


# ------------------------------------------------------------------------------------------ row 7: YAML budgets


def test_billion_laughs_in_a_map_is_refused_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "laughs.yaml", "name: Laughs\n" + BILLION_LAUGHS + SMALL.split("\n", 1)[1])
    assert path.stat().st_size < 700  # the laughs themselves: about 400 bytes
    text = refused(guarded_cli("map", "validate", str(path)), "laughs.yaml, line",
                   limits.YAML_NODES.setting, "aliases repeat")
    assert text.count(".") <= 3  # one sentence (the thousands separators aside)
    refused(guarded_cli("map", "show", str(path), "--catalogue", str(CATALOGUE)),
            limits.YAML_NODES.setting)


def test_billion_laughs_in_a_catalogue_is_refused(tmp_path: Path) -> None:
    cat = write(tmp_path, "cat.yaml", "types:\n  - {type: A, nature: value}\n" + BILLION_LAUGHS)
    path = write(tmp_path, "small.yaml", SMALL)
    refused(guarded_cli("map", "validate", str(path), "--catalogue", str(cat)), "cat.yaml, line",
            limits.YAML_NODES.setting)
    with pytest.raises(CatalogueError, match=limits.YAML_NODES.setting):
        parse_catalogue(cat.read_text(encoding="utf-8"), "cat.yaml")


def test_aliases_depth_bytes_and_self_reference_are_refused() -> None:
    many = "a: &x 1\nb: [" + ", ".join(["*x"] * (limits.YAML_ALIASES.value + 1)) + "]\n"
    with pytest.raises(MapFileError, match=rf"^m.yaml, line 2: .*{limits.YAML_ALIASES.setting}"):
        parse_map(many, "m.yaml")
    deep = "a: " + "[" * (limits.YAML_DEPTH.value + 1) + "]" * (limits.YAML_DEPTH.value + 1) + "\n"
    with pytest.raises(MapFileError, match=limits.YAML_DEPTH.setting):
        parse_map(deep, "m.yaml")
    with pytest.raises(MapFileError, match="inside the value it names"):
        parse_map("a: &x {b: *x}\n", "m.yaml")
    with pytest.raises(CatalogueError, match=limits.YAML_DEPTH.setting):
        parse_catalogue("types: " + "[" * 200 + "]" * 200, "c.yaml")


def test_a_map_over_the_byte_limit_is_refused_by_its_setting(tmp_path: Path) -> None:
    path = write(tmp_path, "long.yaml", SMALL + "description: " + "x" * 3000 + "\n")
    refused(guarded_cli("map", "validate", str(path), env={limits.YAML_BYTES.setting: "2000"}),
            "long.yaml", limits.YAML_BYTES.setting)


# ------------------------------------------------------------------------------------------ row 8: digits


def test_a_5001_digit_number_is_refused_naming_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "digits.yaml", SMALL.replace("touch: 5\n", "touch: " + "9" * 5001 + "\n", 1))
    refused(guarded_cli("map", "validate", str(path)), "digits.yaml, line 8 (field 'touch')", "5,001 digits",
            limits.NUMBER_DIGITS.setting)
    with pytest.raises(CatalogueError, match=limits.NUMBER_DIGITS.setting):
        parse_catalogue("types:\n  - type: " + "1" * 5001 + "\n    nature: value\n", "c.yaml")


# ------------------------------------------------------------------------------------------ row 9: catalogue paths


@pytest.mark.parametrize("reference", ["/dev/zero", "/etc/hostname", "../secret.yaml", "a/../../b.yaml"])
def test_a_map_may_not_name_a_catalogue_outside_its_folder(tmp_path: Path, reference: str) -> None:
    path = write(tmp_path, "landmine.yaml", SMALL.replace("roles:", f"catalogue: {reference}\nroles:", 1))
    text = refused(guarded_cli("map", "validate", str(path)), "landmine.yaml, line 2",
                   "not a file in the map's own folder")
    assert "hostname" not in text.replace(reference, "") and os.uname().nodename not in text
    refused(guarded_cli("map", "show", str(path)), "landmine.yaml")
    with pytest.raises(MapFileError, match="^up.yaml: its catalogue"):
        parse_map_text(path.read_text(encoding="utf-8"), "up.yaml")


def test_a_symlink_out_or_a_device_beside_the_map_is_never_read(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "out.yaml").symlink_to("/etc/hostname")
    (maps / "zero.yaml").symlink_to("/dev/zero")
    for name in ("out.yaml", "zero.yaml"):
        path = write(maps, "m.yaml", SMALL.replace("roles:", f"catalogue: {name}\nroles:", 1))
        refused(guarded_cli("map", "validate", str(path)), "m.yaml", "catalogue")
    refused(guarded_cli("map", "validate", "/dev/zero"), "zero", "not a regular file")
    refused(guarded_cli("map", "validate", str(path), "--catalogue", "/dev/zero"), "zero",
            "not a regular file")


def test_uploading_a_landmine_map_stores_nothing_and_keeps_the_map_on_screen(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(maps_folder(tmp_path)))
    flow = FlowScreen(open_app("flow"))
    before = flow.working
    stored = [o for o in flow.at.selectbox if o.label == "Process map"][0].options
    for name, text in (("landmine.yaml", SMALL.replace("roles:", "catalogue: /dev/zero\nroles:", 1)),
                       ("laughs.yaml", "name: L\n" + BILLION_LAUGHS),
                       ("digits.yaml", SMALL.replace("touch: 5\n", "touch: " + "9" * 5001 + "\n", 1)),
                       ("steps.yaml", "name: S\nsteps:\n" + "  - {id: s}\n" * (limits.MAP_STEPS.value + 1))):
        flow.upload(name, text.encode())
        flow.assert_no_exception()
        assert any(name in e.value and "unchanged" in e.value for e in flow.at.error), flow.errors()
        assert flow.working.name == before.name and flow.working.stored_version == before.stored_version
        assert [o for o in flow.at.selectbox if o.label == "Process map"][0].options == stored  # nothing stored


# ------------------------------------------------------------------------------------------ row 10: size


def _chain(n: int, roles: int = 10, routes: int = 1) -> str:
    lines = ["name: Big", "roles:"] + [f"  - {{id: r{r}, name: Role {r}}}" for r in range(roles)]
    lines += ["entry: s0", "failure_demand:", "  - {kind: chase, every_days: 0.01, probability: 0.5, demand_type: X}",
              "steps:"]
    for i in range(n):
        nxt = f"s{i + 1}" if i + 1 < n else "resolved"
        lines += [f"  - id: s{i}", f"    role: r{i % roles}", "    touch: {min: 1, likely: 2, max: 5}",
                  "    wait: {mean: 30, distribution: exponential}", "    complete_and_accurate: 90",
                  f"    not_accurate: {{rework: s{max(i - 1, 0)}}}", "    routes:"]
        lines += [f"      - {{to: {nxt}, types: [Type {k}], probability: 0.5}}" for k in range(routes - 1)]
        lines += [f"      - {{to: {nxt}, otherwise: true}}"]
    return "\n".join(lines) + "\n"


def test_too_many_steps_or_routes_are_refused_in_one_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.yaml", "name: H\nsteps:\n" + "  - {id: s, role: r, touch: 1}\n" * 10_000)
    refused(guarded_cli("map", "validate", str(path)), "huge.yaml: 10,000 steps", "at most 1,000",
            limits.MAP_STEPS.setting)
    path = write(tmp_path, "routes.yaml", _chain(3, routes=4))
    refused(guarded_cli("map", "validate", str(path), env={limits.MAP_ROUTES.setting: "5"}), "routes.yaml",
            limits.MAP_ROUTES.setting)


def test_a_1000_step_map_validates_and_shows_in_seconds(tmp_path: Path) -> None:
    (tmp_path / "cat.yaml").write_text("types:\n" + "".join(f"  - {{type: Type {k}, nature: value}}\n"
                                                            for k in range(7)), encoding="utf-8")
    path = write(tmp_path, "big.yaml", _chain(1000, roles=1000, routes=8).replace("name: Big",
                                                                                     "name: Big\ncatalogue: cat.yaml"))
    done = guarded_cli("map", "validate", str(path))
    assert done.returncode == 0 and "big.yaml: valid" in done.stdout, done.stderr[-1000:]
    shown = guarded_cli("map", "show", str(path))
    assert shown.returncode == 0 and "Type 6" in shown.stdout, shown.stderr[-1000:]
    dot = guarded_cli("map", "show", "--format", "dot", str(path))
    assert dot.returncode == 0 and dot.stdout.count(" -> ") > 1000


# ------------------------------------------------------------------------------------------ row 11: never ending


@pytest.mark.parametrize("routes", [
    "      - {to: a, rework: true, probability: 1}\n      - {to: resolved, otherwise: true}\n",
    "      - {to: resolved, probability: 0}\n      - {to: a, otherwise: true}\n",
])
def test_flows_that_can_never_end_are_errors_naming_the_steps(tmp_path: Path, routes: str) -> None:
    text = SMALL + "    routes:\n" + routes  # step b: back to a for ever
    path = write(tmp_path, "endless.yaml", text)
    done = guarded_cli("map", "validate", str(path))
    assert done.returncode == 1 and done.no_traceback()
    assert "can never end" in done.stdout and "'a', 'b'" in done.stdout, done.stdout
    assert "valid" not in done.stdout.splitlines()[0].replace("error", "")
    refused(guarded_cli("compare", str(path), "--demand", str(SAMPLE), "--weeks", "1", "--replications", "1"),
            "endless.yaml", "can never end")


# ------------------------------------------------------------------------------------------ row 12: absurd times


def test_absurd_times_are_refused_by_validation_with_the_bound(tmp_path: Path) -> None:
    for value, words in (("1e308", "more than a week"), ("{likely: 20000, unit: days}", "more than a week"),
                         (".nan", "should be a number"), (".inf", "should be a number")):
        path = write(tmp_path, "absurd.yaml", SMALL.replace("touch: 5\n", f"touch: {value}\n", 1))
        done = guarded_cli("map", "validate", str(path))
        assert done.returncode == 1 and words in done.stdout and done.no_traceback(), done.stdout
    path = write(tmp_path, "wait.yaml", SMALL.replace("touch: 5\n", "touch: 5\n    wait: 100000\n", 1))
    done = guarded_cli("map", "validate", str(path))
    assert done.returncode == 1 and "more than five years (at most 1,825 days" in done.stdout, done.stdout


def test_a_comparison_where_no_demand_is_resolved_says_so() -> None:
    stuck = [{"demands": 187.0, "resolved": 0.0, "one_stop_share": float("nan"), "unfinished": 187.0}]
    fine = [{"demands": 187.0, "resolved": 180.0, "one_stop_share": 0.5, "e2e_days_median": 2.0,
             "failure_demand_per_100": 3.0, "unfinished": 7.0}]
    result = Comparison([DesignResult("Slow", "", "slow.yaml", stuck), DesignResult("Quick", "", "q.yaml", fine)],
                        1, 1, 1, 187)
    assert result.headline().startswith("Slow: no demand was resolved in the period (187 demands arrived")
    assert "100%" not in result.headline() and "nan" not in result.headline()
    data = result.to_json()
    assert data["designs"][0]["nothing_resolved"] is True and data["designs"][1]["nothing_resolved"] is False
    assert "no demand was resolved" in str(data["headline"])


def test_compare_of_a_design_that_never_finishes_says_no_demand_was_resolved(tmp_path: Path) -> None:
    slow = SMALL.replace("touch: 5\n", "touch: 5\n    wait: 1800\n", 1)
    path = write(tmp_path, "slow.yaml", slow.replace("roles:", "catalogue: cat.yaml\nroles:", 1))
    (tmp_path / "cat.yaml").write_bytes(CATALOGUE.read_bytes())
    other = write(tmp_path, "slow2.yaml", path.read_text(encoding="utf-8").replace("name: Small", "name: Slower"))
    done = guarded_cli("compare", str(path), str(other), "--demand", str(SAMPLE), "--weeks", "1", "--replications", "1",
                       "--quiet")
    assert done.returncode == 0 and done.no_traceback(), done.stderr[-1500:]
    assert "no demand was resolved in the period" in done.stdout and "nan" not in done.stdout, done.stdout


# ------------------------------------------------------------------------------------------ fuzzing


HOSTILE_YAML = [BILLION_LAUGHS, "a: &x [*x]\n", "[" * 500, "a: " + "9" * 5001, "? [a]\n: b\n", "!!python/none x",
                "types: &t [*t]\n", "steps: {a: 1}\nroles: 7\nentry: [1]\n", "- - - -\n", "\x00\xff", "catalogue: /dev/zero"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("cp1252", "replace"))))
@example("types:\n  - {type: " + "1" * 5001 + ", nature: value}\n")
@example("types:\n" + BILLION_LAUGHS.replace("unused:\n", ""))
def test_the_catalogue_reader_only_ever_raises_catalogue_error(text: str) -> None:
    for candidate in (text, *HOSTILE_YAML, "types:\n  - " + text):
        with contextlib.suppress(CatalogueError):
            parse_catalogue(candidate, "fuzz.yaml")


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
documents = st.recursive(scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.sampled_from(
        ["name", "roles", "steps", "entry", "routes", "to", "touch", "wait", "id", "role", "probability",
         "not_accurate", "rework", "catalogue", "failure_demand", "min", "max", "unit", "otherwise", "types"]),
        kids, max_size=5)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_the_map_reader_only_ever_raises_map_file_error(doc: object) -> None:
    import yaml

    for text in (yaml.safe_dump(doc), *HOSTILE_YAML):
        try:
            m = parse_map_text(text, "fuzz.yaml")
        except MapFileError:
            continue
        validate_map(m)


def test_the_bundled_maps_catalogue_is_the_sample_catalogue() -> None:
    """The bundled maps name a copy beside them (a map may only name a catalogue in its own folder)."""
    copy = ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml"
    assert copy.read_bytes() == CATALOGUE.read_bytes()


def test_the_flow_page_opens_a_1000_step_upload_and_says_it_is_too_big_to_draw(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(maps_folder(tmp_path)))
    flow = FlowScreen(open_app("flow"))
    flow.upload("big.yaml", _chain(1000, roles=20, routes=3).encode())
    flow.assert_no_exception()
    assert flow.working.map.name == "Big" and len(flow.working.map.steps) == 1000
    assert flow.says("info", "too big to draw readably")
