"""A small process map for the editor tests, with its expected figures worked out by hand."""

from __future__ import annotations

from pathlib import Path

from workbench.flow.model import ProcessMap, parse_map

# Three steps: the agent answers (value, 6 min), hands the demand to the back office (hand-off, 10 min, after
# a 2-day wait), which passes it back to the agent to close (value, 4 min). Every demand takes that path, so:
#   hand-offs = 2 (agent -> back office, back office -> agent); steps = 3; touch = 20 min; value steps 2/3;
#   end-to-end = 2 days + 20 min; one-stop = 0 (hand-offs, and a wait).
# Giving the back-office step to the agent removes both hand-offs (but the 2-day wait keeps it not one-stop).
SMALL_MAP = """\
# A small map for tests
name: Small service
design: standard-work
roles:
  - id: agent
    name: Agent
    staff: 3
  - id: office
    name: Back office
    staff: 1
entry: answer
steps:
  - id: answer
    name: Answer
    role: agent
    touch: 6
    routes:
      - to: process
        otherwise: true
  - id: process
    name: Process in the back office
    role: office
    work: hand-off
    touch: 10
    wait: 2
    routes:
      - to: close
        otherwise: true
  - id: close
    name: Close with the customer
    role: agent
    touch: 4
"""
SMALL_HANDOFFS = 2.0
SMALL_HANDOFFS_AFTER_ROLE_CHANGE = 0.0
SMALL_TOUCH_MINUTES = 20.0
SMALL_E2E_DAYS = 2 + 20 / 1440

BROKEN_MAP = """\
name: Broken
roles:
  - id: agent
    name: Agent
entry: answer
steps:
  - id: answer
    role: agent
    touch: 5
    routes:
      - to: nowhere
        otherwise: true
"""
BROKEN_LINE = 11  # the route to the unknown step 'nowhere'

# Two steps that send demand to each other for ever: no route ever ends it (validation and expectations).
LOOP = """\
name: Loop
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: b
        otherwise: true
  - id: b
    role: agent
    touch: 5
    routes:
      - to: a
        otherwise: true
"""


def maps_folder(tmp: Path) -> Path:
    folder = tmp / "process_maps"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.yaml").write_text(SMALL_MAP, encoding="utf-8")
    return folder


def one_role_map(staff: int, touch: str, extra: str = "", wait: str = "0") -> ProcessMap:
    """A 24/7 desk that serves each demand once: a single queue with `staff` servers (`extra`: more top-level
    YAML, such as touchpoints; `wait`: the step's wait before it is served)."""
    return parse_map(f"""
name: One role
{extra}
roles:
  - {{id: desk, name: Desk, staff: {staff}, hours_per_day: 24, days_per_week: 7}}
entry: serve
steps:
  - id: serve
    name: Serve the customer
    role: desk
    touch: {touch}
    wait: {wait}
    routes:
      - to: resolved
        otherwise: true
""", "one_role.yaml")
