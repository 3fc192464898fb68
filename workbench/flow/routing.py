"""Where a demand goes next: the one implementation of the routing rules of docs/process-maps.md.

Both the exact expectations (`workbench.flow.expected`) and the simulation use `next_steps`, so the two can
never disagree about what a map means.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.flow.model import RESOLVED, Route, Step

UNROUTED = "__unrouted__"  # pseudo-destination: no route took the demand


@dataclass(frozen=True)
class DemandKind:
    """What routing rules can look at: the demand's type, its nature and cause (from the catalogue), and the
    touchpoint where it arrived."""

    demand_type: str = ""
    nature: str = ""
    cause: str = ""
    touchpoint: str = ""


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def matches(route: Route, kind: DemandKind) -> bool:
    """All the route's conditions hold for this demand (a route without conditions matches everything)."""
    if route.types and _fold(kind.demand_type) not in {_fold(t) for t in route.types}:
        return False
    if route.nature and _fold(kind.nature) != _fold(route.nature):
        return False
    if route.cause and _fold(kind.cause) != _fold(route.cause):
        return False
    return not (route.touchpoints and _fold(kind.touchpoint) not in {_fold(t) for t in route.touchpoints})


def split_groups(routes: list[Route]) -> list[list[Route]]:
    """Routes grouped as evaluated: adjacent probability routes with the same conditions form one split."""
    groups: list[list[Route]] = []
    for route in routes:
        prev = groups[-1] if groups else None
        if (prev and route.probability is not None and prev[0].probability is not None
                and prev[0].condition_key() == route.condition_key()):
            prev.append(route)
        else:
            groups.append([route])
    return groups


def next_steps(step: Step, kind: DemandKind) -> list[tuple[str, float, Route | None]]:
    """Destinations with their probabilities for a demand leaving `step` (they add up to 1).

    A step without routes ends the demand. Demand that no route takes goes to UNROUTED, which the callers
    report (validation warns about steps without an `otherwise`).
    """
    if not step.routes:
        return [(RESOLVED, 1.0, None)]
    out: list[tuple[str, float, Route | None]] = []
    remaining = 1.0
    for group in split_groups(step.routes):
        if remaining <= 1e-15:
            break
        head = group[0]
        if not (head.otherwise or matches(head, kind)):
            continue
        if head.probability is None:
            out.append((head.to or UNROUTED, remaining, head))
            remaining = 0.0
            break
        taken = 0.0
        for route in group:
            p = min(max(route.probability or 0.0, 0.0), 1.0 - taken)
            if p > 0:
                out.append((route.to or UNROUTED, remaining * p, route))
            taken += p
        remaining *= max(0.0, 1.0 - taken)
    if remaining > 1e-15:
        out.append((UNROUTED, remaining, None))
    return out
