"""Real-browser journey on the Flow page: edit a step's role, watch a hand-off disappear, save."""

from __future__ import annotations

import pytest
from flow_fixtures import SMALL_HANDOFFS, SMALL_HANDOFFS_AFTER_ROLE_CHANGE
from playwright.sync_api import Page, expect

from workbench.flow.model import load_map
from workbench.flow.validate import has_errors, validate_map

from pages import ARTIFACTS, FlowPage

pytestmark = pytest.mark.browser


def test_change_a_role_so_the_hand_offs_disappear_then_save(page: Page, flow_server) -> None:
    server, folder = flow_server
    flow = FlowPage(page, server.url).open_flow()
    expect(flow.diagram_nodes().first).to_be_visible(timeout=60_000)
    flow.expect_headline("Hand-offs", f"{SMALL_HANDOFFS:.2f}")
    flow.expect_handoff_edges(2)
    nodes_before = flow.diagram_nodes().count()  # the whole diagram is drawn once its hand-offs are

    flow.change_step_role("Process in the back office (process)", "agent")

    flow.expect_headline("Hand-offs", f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}")
    flow.expect_handoff_edges(0)
    flow.expect_diagram_nodes(nodes_before)
    ARTIFACTS.mkdir(exist_ok=True)
    flow.screenshot(ARTIFACTS / "flow-edited.png")

    flow.save_as("small_redesigned")
    expect(page.get_by_text("Saved to process_maps/small_redesigned.yaml")).to_be_visible()
    saved = load_map(folder / "small_redesigned.yaml")
    assert not has_errors(validate_map(saved))
    assert saved.step("process").role == "agent"
