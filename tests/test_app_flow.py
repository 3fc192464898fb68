"""The Flow page (process-map editor) through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_pages import FlowScreen, open_app
from flow_fixtures import (
    BROKEN_LINE,
    BROKEN_MAP,
    SMALL_E2E_DAYS,
    SMALL_HANDOFFS,
    SMALL_HANDOFFS_AFTER_ROLE_CHANGE,
    SMALL_TOUCH_MINUTES,
)
from streamlit.testing.v1 import AppTest

from workbench.flow.model import load_map
from workbench.flow.validate import has_errors, validate_map


@pytest.fixture
def at(small_maps: Path) -> AppTest:
    return open_app("flow")


@pytest.fixture
def flow(at: AppTest) -> FlowScreen:
    return FlowScreen(at)


def test_opens_the_first_map_with_its_expected_metrics(at: AppTest, flow: FlowScreen) -> None:
    assert any("Small service" in h.value for h in at.subheader)
    assert flow.headline("Hand-offs") == f"{SMALL_HANDOFFS:.2f}"
    assert flow.headline("Touch minutes") == f"{SMALL_TOUCH_MINUTES:.0f}"
    assert flow.headline("End-to-end days") == f"{SMALL_E2E_DAYS:.1f}"
    assert flow.headline("One-stop") == "0%"
    assert flow.headline("Value steps") == f"{2 / 3:.0%}"
    assert flow.says("success", "valid")


def test_editing_a_steps_role_removes_the_hand_offs_and_can_be_undone(flow: FlowScreen) -> None:
    assert flow.working.version == 0
    flow.edit_step(1, role="agent")
    flow.assert_no_exception()
    assert flow.headline("Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"
    assert flow.says("caption", "version 2")  # saved in the study at once
    # a new session (a refresh) opens the map as saved
    fresh = FlowScreen(open_app("flow"))
    assert fresh.headline("Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"
    flow.undo()
    assert flow.headline("Hand-offs") == f"{SMALL_HANDOFFS:.2f}"
    # the undo is saved like an edit: added to this person's version made a moment ago (tests/test_map_versions.py)
    assert flow.says("caption", "version 2")


def test_the_step_form_changes_a_step(at: AppTest, flow: FlowScreen) -> None:
    flow.section("Edit one step")
    flow.choose("Step", "process")
    flow.selectbox("Role").set_value("agent")  # in a form: sent with the button
    flow.press("Apply to step")
    flow.assert_no_exception()
    assert flow.headline("Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"


def test_save_writes_a_valid_file_and_asks_before_overwriting(at: AppTest, flow: FlowScreen, small_maps: Path) -> None:
    flow.edit_step(1, role="agent")
    flow.type("File name in process_maps/", "small_worker_led")
    flow.press("Save")
    saved = small_maps / "small_worker_led.yaml"
    assert saved.exists()
    m = load_map(saved)
    assert not has_errors(validate_map(m))
    assert m.step("process").role == "agent"
    assert saved.read_text().startswith("# A small map for tests")  # the file's comment block is kept
    # overwriting the original asks first, and offers a new version instead
    before = (small_maps / "small.yaml").read_text()
    flow.type("File name in process_maps/", "small")
    flow.press("Save")
    assert (small_maps / "small.yaml").read_text() == before
    assert flow.says("warning", "already exists")
    flow.press("Save as small-2.yaml")
    assert (small_maps / "small-2.yaml").exists()
    assert (small_maps / "small.yaml").read_text() == before


def test_a_map_with_errors_opens_and_lists_them_with_lines(at: AppTest, flow: FlowScreen, small_maps: Path) -> None:
    (small_maps / "broken.yaml").write_text(BROKEN_MAP, encoding="utf-8")
    flow.run()
    flow.choose("A map in process_maps/", "broken.yaml")
    flow.press("Add to the study and open")
    assert not at.exception
    errors = flow.errors()
    assert "nowhere" in errors and f"line {BROKEN_LINE}" in errors
    assert "Hand-offs" not in flow.headline_labels()  # no metrics until the map is valid


def test_uploading_invalid_yaml_keeps_the_map_on_screen(at: AppTest, flow: FlowScreen) -> None:
    flow.upload("bad.yaml", b"name: [unclosed\n")
    assert not at.exception
    assert any("bad.yaml" in e.value and "not valid YAML" in e.value for e in at.error)
    assert any("Small service" in h.value for h in at.subheader)


def test_an_edit_that_takes_the_map_over_the_step_limit_is_not_stored(at: AppTest, flow: FlowScreen,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables are held to the budgets an upload is: a map over WORKBENCH_MAX_MAP_STEPS is never saved."""
    steps = len(flow.working.map.steps)
    monkeypatch.setenv("WORKBENCH_MAX_MAP_STEPS", str(steps - 1))
    flow.edit_step(1, role="agent")
    flow.assert_no_exception()
    assert "WORKBENCH_MAX_MAP_STEPS" in flow.errors() and "The edit was not saved." in flow.errors()
    assert flow.headline("Hand-offs") == f"{SMALL_HANDOFFS:.2f}"  # the map on screen is the saved one
    assert not flow.says("caption", "version 2")
    monkeypatch.setenv("WORKBENCH_MAX_MAP_STEPS", str(steps))
    flow.edit_step(1, role="agent")
    assert flow.headline("Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"
    assert flow.says("caption", "version 2")
