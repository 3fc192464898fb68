"""Real-browser journey: a new user builds a map in the room. A new study with no map; a map from a template;
renamed and given its design; a role picked from a dropdown; the next step added from a step card; and on the
Routes section a probability typed as 50, read as 50% and said, with the section still open after the edit."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import Page, expect

from workbench.flow.templates import TEMPLATES_DIR

from pages import ARTIFACTS, FlowPage, StudiesPage

pytestmark = pytest.mark.browser

TEMPLATE = "contact_centre_back_office.yaml"


def test_a_new_user_builds_a_map_from_a_template(page: Page, app_server) -> None:
    raw = yaml.safe_load((TEMPLATES_DIR / TEMPLATE).read_text(encoding="utf-8"))
    title = raw["name"]
    steps, roles = raw["steps"], [r["id"] for r in raw["roles"]]
    routes = sum(len(s["routes"]) for s in steps)

    studies = StudiesPage(page, app_server.url)
    studies.open("studies")
    studies.create("Benefits redesign", "Nothing: I will upload our demand")
    studies.go_to("Flow")
    flow = FlowPage(page, app_server.url)
    flow.expect_heading()
    flow.expect_no_map_yet()

    flow.new_from_template(title)
    expect(flow.message(f"{len(steps)} steps, {len(roles)} roles and {routes} routes")).to_be_visible()
    flow.expect_open_map(title, 1)

    flow.set_details("Benefits - as is", "as-is")
    flow.expect_version(2)  # a new map is never added to; the person's next edits within minutes go into this one

    # the first step's role, from the dropdown of the map's roles
    first = steps[0]
    other = next(r for r in roles if r != first["role"])
    flow.pick_step_role(0, other)
    flow.expect_saved(2, edits=2)

    # the next step after the second, from its step card: it opens for editing
    second = steps[1]
    flow.add_next_step_after(f"{second['name']} ({second['id']})")
    expect(flow.message(f"Added step 'new_step' after '{second['id']}'")).to_be_visible()
    expect(page.get_by_role("combobox", name="Step", exact=True)).to_have_value("New step (new_step)")
    flow.expect_saved(2, edits=3)

    # a probability typed as 50 on the Routes section: read as 50%, said, and the section stays open
    flow.section("Routes")
    # the Routes table now: the second step goes to the new one, which took over the second step's routes
    shown = []
    for s in steps:
        shown += [{"to": "new_step"}, *s["routes"]] if s is second else s["routes"]
    row = next(i for i, r in enumerate(shown) if r.get("probability") and not r.get("nature"))
    assert shown[row]["probability"] != 0.5  # so that 50 read as 0.5 is a change
    flow.type_probability(row, "50")
    expect(flow.message("read 50 as 50% (a share of 0.5)").first).to_be_visible()
    flow.expect_section("Routes")
    expect(flow.routes_table()).to_be_visible()
    flow.expect_saved(2, edits=4)
    expect(flow.table_cell(flow.routes_table(), row, "Probability")).to_have_text("0.5")
    flow.expect_no_exception()
    ARTIFACTS.mkdir(exist_ok=True)
    flow.screenshot(ARTIFACTS / "flow-built-from-template.png")
