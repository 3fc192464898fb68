"""One upload cap for every file uploaded to the app (WORKBENCH_MAX_UPLOAD_MB, workbench/uploads.py): a demand
file, an event log, a catalogue, a process map and a study zip over it are refused in one sentence naming the
file and the limit, before a byte of them is read; within it, each reaches its reader as before."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path

import pytest
from app_pages import DemandScreen, FlowScreen, StudiesScreen, open_app
from flow_fixtures import maps_folder

from workbench import limits, paths, uploads
from workbench.demand.catalogue import parse_catalogue
from workbench.demand.read import read_table
from workbench.flow.model import parse_map_text
from workbench.store.archive import ArchiveError, read_archive

ROOT = Path(__file__).resolve().parent.parent
MIB = 1_048_576  # a megabyte as Streamlit's server.maxUploadSize counts it
SETTING = "WORKBENCH_MAX_UPLOAD_MB"


def refusal(name: str, size: str, most: int) -> str:
    return (f"{name} is {size}, but an uploaded file may be at most {most} MB (whoever runs Workbench can "
            f"change this with the setting {SETTING}).")


@pytest.fixture
def one_mb(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv(SETTING, "1")
    return 1


def test_the_cap_is_200_mb_and_the_same_figure_everywhere_it_is_stated() -> None:
    assert limits.UPLOAD_MB.setting == SETTING and limits.UPLOAD_MB.value == 200
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 200
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "200 MB" in readme and SETTING in readme


@pytest.mark.parametrize(("name", "kind"), [
    ("calls.csv", "demand file"), ("cases.xes", "event log"), ("types.yaml", "catalogue"),
    ("redesign.yaml", "process map"), ("study.zip", "study export")])
def test_every_kind_of_upload_over_the_cap_is_refused_naming_the_file_and_the_limit(
        one_mb: int, name: str, kind: uploads.Kind) -> None:
    over = b"x" * (MIB + MIB // 2)  # 1.5 MB
    with pytest.raises(limits.LimitError) as err:
        uploads.accept(name, over, kind)
    assert str(err.value) == refusal(name, "1.5 MB", 1)
    if kind in uploads.YAML_KINDS:
        with pytest.raises(limits.LimitError):
            uploads.accept_text(name, over, kind)


@pytest.mark.parametrize("kind", ["demand file", "event log", "study export"])
def test_a_file_of_exactly_the_cap_is_let_in_and_one_byte_more_is_not(one_mb: int, kind: uploads.Kind) -> None:
    data = b"y" * MIB
    assert uploads.accept("f", data, kind) is data
    with pytest.raises(limits.LimitError) as err:
        uploads.accept("f.csv", data + b"y", kind)
    assert str(err.value) == refusal("f.csv", "1,048,577 bytes", 1)


def test_the_cap_is_checked_before_the_file_is_read(one_mb: int) -> None:
    """A broken zip over the cap is refused for its size, not for what it holds (nothing of it was read)."""
    junk = b"PK\x03\x04" + b"\0" * (2 * MIB)
    with pytest.raises(ArchiveError):
        read_archive(junk)  # what reading it would have said
    with pytest.raises(limits.LimitError, match=re.escape(refusal("old.zip", "2.0 MB", 1))):
        read_archive(uploads.accept("old.zip", junk, "study export"))


def test_within_the_cap_each_upload_reaches_its_reader_as_before(one_mb: int) -> None:
    demand = paths.SAMPLE_DEMAND.read_bytes()
    assert len(demand) < MIB
    rows = len(list(csv.reader(io.StringIO(demand.decode("utf-8"))))) - 1  # less the header
    table = read_table(uploads.accept("sample.csv", demand, "demand file"), "sample.csv")
    assert table.kind == "csv" and len(table.frame) == rows == 2_532
    catalogue_bytes = b"\xef\xbb\xbf" + paths.SAMPLE_CATALOGUE.read_bytes()  # with a byte-order mark, as Excel saves
    text = uploads.accept_text("catalogue.yaml", catalogue_bytes, "catalogue")
    assert parse_catalogue(text, "catalogue.yaml").types == parse_catalogue(
        paths.SAMPLE_CATALOGUE.read_text(encoding="utf-8")).types
    map_text = uploads.accept_text("small.yaml", (paths.PROCESS_MAPS_DIR / "housing_repairs_worker_led.yaml")
                                   .read_bytes(), "process map")
    assert parse_map_text(map_text, "small.yaml").steps


def test_a_map_or_catalogue_is_also_held_to_the_yaml_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAX_YAML_BYTES", "1000")
    for kind in uploads.YAML_KINDS:
        with pytest.raises(limits.LimitError) as err:
            uploads.accept("big.yaml", b"#" * 1001, kind)
        assert str(err.value).startswith("big.yaml: 1,001 bytes, but a process map or catalogue may have at most "
                                         "1,000")
        assert "WORKBENCH_MAX_YAML_BYTES" in str(err.value)
    assert uploads.accept("big.csv", b"#" * 1001, "demand file")  # not YAML: only the upload cap


def test_every_upload_box_of_the_app_goes_through_the_cap() -> None:
    """Each st.file_uploader in the app is matched by an uploads.accept* call in the same page file."""
    for page in sorted((ROOT / "workbench" / "app").rglob("*.py")):
        text = page.read_text(encoding="utf-8")
        boxes = text.count("st.file_uploader(")
        assert text.count("uploads.accept") >= boxes, f"{page.name}: {boxes} upload box(es) not all checked"


# ------------------------------------------------------------------------------------------ in the app


def test_the_flow_page_refuses_an_over_size_map_and_keeps_the_map_on_screen(
        one_mb: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(maps_folder(tmp_path)))
    flow = FlowScreen(open_app("flow"))
    flow.upload("huge.yaml", b"# " + b"x" * (3 * MIB))
    flow.assert_no_exception()
    assert refusal("huge.yaml", "3.0 MB", 1) in flow.errors()
    assert "The map on screen is unchanged." in flow.errors()
    assert any("Small service" in h.value for h in flow.at.subheader)


def test_the_demand_page_refuses_an_over_size_file_and_keeps_the_sample(one_mb: int) -> None:
    demand = DemandScreen(open_app("demand"))
    body = paths.SAMPLE_DEMAND.read_bytes()
    big = body + body.split(b"\n", 1)[1] * (MIB // len(body) + 1)  # the sample, repeated past 1 MB
    size = f"{len(big) / MIB:.1f} MB"
    demand.upload("big.csv", big)
    demand.assert_no_exception()
    assert refusal("big.csv", size, 1) in demand.errors()
    assert any(h.value.endswith("(sample)") for h in demand.at.subheader)


def test_the_studies_page_refuses_an_over_size_zip_and_imports_nothing(one_mb: int) -> None:
    studies = StudiesScreen(open_app("studies"))
    before = [s.value for s in studies.at.selectbox if s.label == "Open a study"]
    studies.import_archive("big.zip", b"PK\x03\x04" + b"\0" * (2 * MIB))
    studies.assert_no_exception()
    assert f"{refusal('big.zip', '2.0 MB', 1)} Nothing was changed." in studies.errors()
    assert [s.value for s in studies.at.selectbox if s.label == "Open a study"] == before
