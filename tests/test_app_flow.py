"""The Flow page (process-map editor) through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import APP, metric
from flow_fixtures import (
    BROKEN_LINE,
    BROKEN_MAP,
    SMALL_E2E_DAYS,
    SMALL_HANDOFFS,
    SMALL_HANDOFFS_AFTER_ROLE_CHANGE,
    SMALL_TOUCH_MINUTES,
    maps_folder,
)
from streamlit.testing.v1 import AppTest

from workbench.flow.model import load_map
from workbench.flow.validate import has_errors, validate_map


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = maps_folder(tmp_path)
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(folder))
    return folder


@pytest.fixture
def at(folder: Path) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    app.switch_page("views/flow.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_opens_the_first_map_with_its_expected_metrics(at: AppTest) -> None:
    assert any("Small service" in h.value for h in at.subheader)
    assert metric(at, "Hand-offs") == f"{SMALL_HANDOFFS:.2f}"
    assert metric(at, "Touch minutes") == f"{SMALL_TOUCH_MINUTES:.0f}"
    assert metric(at, "End-to-end days") == f"{SMALL_E2E_DAYS:.1f}"
    assert metric(at, "One-stop") == "0%"
    assert metric(at, "Value steps") == f"{2 / 3:.0%}"
    assert any("valid" in s.value for s in at.success)


def test_editing_a_steps_role_removes_the_hand_offs_and_can_be_undone(at: AppTest) -> None:
    at.session_state["flow_steps_0"] = {"edited_rows": {1: {"role": "agent"}}, "added_rows": [],
                                        "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"
    assert any("version 2" in c.value for c in at.caption)  # saved in the study at once
    # a new session (a refresh) opens the map as saved
    fresh = AppTest.from_file(APP, default_timeout=90)
    fresh.run()
    fresh.switch_page("views/flow.py").run()
    assert metric(fresh, "Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"
    next(b for b in at.button if b.label == "Undo last edit").click().run()
    assert metric(at, "Hand-offs") == f"{SMALL_HANDOFFS:.2f}"
    assert any("version 3" in c.value for c in at.caption)  # the undo is a version too


def test_the_step_form_changes_a_step(at: AppTest) -> None:
    form_role = next(s for s in at.selectbox if s.label == "Role")
    form_step = next(s for s in at.selectbox if s.label == "Step")
    form_step.set_value("process").run()
    form_role = next(s for s in at.selectbox if s.label == "Role")
    form_role.set_value("agent")
    next(b for b in at.button if b.label == "Apply to step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"


def test_save_writes_a_valid_file_and_asks_before_overwriting(at: AppTest, folder: Path) -> None:
    at.session_state["flow_steps_0"] = {"edited_rows": {1: {"role": "agent"}}, "added_rows": [],
                                        "deleted_rows": []}
    at.run()
    name_box = next(t for t in at.text_input if t.label == "File name in process_maps/")
    name_box.set_value("small_worker_led").run()
    next(b for b in at.button if b.label == "Save").click().run()
    saved = folder / "small_worker_led.yaml"
    assert saved.exists()
    m = load_map(saved)
    assert not has_errors(validate_map(m))
    assert m.step("process").role == "agent"
    assert saved.read_text().startswith("# A small map for tests")  # the file's comment block is kept
    # overwriting the original asks first, and offers a new version instead
    before = (folder / "small.yaml").read_text()
    name_box = next(t for t in at.text_input if t.label == "File name in process_maps/")
    name_box.set_value("small").run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert (folder / "small.yaml").read_text() == before
    assert any("already exists" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Save as small-2.yaml").click().run()
    assert (folder / "small-2.yaml").exists()
    assert (folder / "small.yaml").read_text() == before


def test_a_map_with_errors_opens_and_lists_them_with_lines(at: AppTest, folder: Path) -> None:
    (folder / "broken.yaml").write_text(BROKEN_MAP, encoding="utf-8")
    at.run()
    pick = next(s for s in at.selectbox if s.label == "A map in process_maps/")
    pick.set_value("broken.yaml").run()
    next(b for b in at.button if b.label == "Add to the study and open").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "nowhere" in errors and f"line {BROKEN_LINE}" in errors
    assert not any(m.label == "Hand-offs" for m in at.metric)  # no metrics until the map is valid


def test_uploading_invalid_yaml_keeps_the_map_on_screen(at: AppTest) -> None:
    at.file_uploader(key="flow_upload").set_value(("bad.yaml", b"name: [unclosed\n", "application/x-yaml")).run()
    assert not at.exception
    assert any("bad.yaml" in e.value and "not valid YAML" in e.value for e in at.error)
    assert any("Small service" in h.value for h in at.subheader)
