"""Does a map fit the demand it is run with? The share of demand whose type the map knows (a route names it, the
map lists it under `serves`, as a map drafted from a log does, or the map's catalogue lists it), the share a route names by type, nature or cause (the map says where it goes)
against the share that only falls through `otherwise` or the steps' defaults, and the types the map has never
heard of. A figure about a design is only about the demand its map covers: the app asks before comparing
when the known share is below `THRESHOLD`. (Routing by nature alone is not knowing: a housing map that sends
"failure demand" somewhere would route a benefits service's failure demand there too.)

Works on the demand mix (`workbench.flow.expected.demand_mix`): type, touchpoint, nature, cause, count."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.demand.catalogue import Catalogue
from workbench.flow.model import ProcessMap, Route
from workbench.flow.routing import DemandKind, matches

THRESHOLD = 0.8  # default share of demand a map must route by name before a comparison runs without asking
SHOWN_TYPES = 10  # types the map has never heard of, named in words (the JSON lists them all)


def _fold(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


@dataclass(frozen=True)
class Coverage:
    """How much of a demand mix a map routes by name. Shares are of all demands in the mix."""

    map_name: str
    demands: int
    known: int  # demands whose type the map knows (a route names it, or its catalogue lists it)
    named: int  # demands a route names by type, nature or cause
    unknown_types: dict[str, int]  # type -> demands, for types no route and no catalogue of the map knows

    @property
    def share(self) -> float:
        """The share of demand whose type the map knows: what a comparison's coverage is judged by."""
        return self.known / self.demands if self.demands else 0.0

    @property
    def named_share(self) -> float:
        return self.named / self.demands if self.demands else 0.0

    @property
    def falls_through(self) -> int:
        return self.demands - self.named

    def low(self, threshold: float = THRESHOLD) -> bool:
        return self.demands > 0 and self.share < threshold

    def words(self) -> str:
        if not self.demands:
            return f"{self.map_name}: there is no demand to check it against."
        text = (f"{self.map_name} knows the type of {self.share:.0%} of this demand ({self.known:,} of "
                f"{self.demands:,}); it routes {self.named_share:.0%} by type, nature or cause, and "
                f"{self.falls_through:,} only fall through its 'otherwise' routes and defaults")
        if self.unknown_types:
            names = sorted(self.unknown_types, key=lambda t: -self.unknown_types[t])
            shown = ", ".join(f"'{t}' ({self.unknown_types[t]:,})" for t in names[:SHOWN_TYPES])
            more = len(names) - SHOWN_TYPES
            text += (f". It has never heard of {len(names):,} type(s): {shown}"
                     + (f" and {more:,} more" if more > 0 else ""))
        return text + "."

    def to_dict(self) -> dict[str, object]:
        return {"map": self.map_name, "demands": self.demands, "known": self.known, "share": round(self.share, 4),
                "named": self.named, "named_share": round(self.named_share, 4), "falls_through": self.falls_through,
                "unknown_types": [{"type": t, "demands": n} for t, n in
                                  sorted(self.unknown_types.items(), key=lambda kv: (-kv[1], kv[0]))]}


def coverage(m: ProcessMap, mix: pd.DataFrame, catalogue: Catalogue | None = None) -> Coverage:
    """How much of `mix` the map `m` routes by name; `catalogue` is the one the map is read with (its types
    are known to the map even where no route names them)."""
    named_routes = [r for s in m.steps for r in s.routes if r.types or r.nature or r.cause]
    named_types = {_fold(t) for r in named_routes for t in r.types} | {_fold(t) for t in m.serves}
    known = named_types | ({_fold(t.name) for t in catalogue.types} | {_fold(a) for t in catalogue.types
                                                                           for a in t.aliases} if catalogue else set())
    total = named = known_demands = 0
    unknown: dict[str, int] = {}
    columns = [mix[c].astype("object").where(mix[c].notna(), "").astype(str)
               for c in ("demand_type", "nature", "cause", "touchpoint")]
    for count, dtype, nature, cause, touchpoint in zip(mix["count"].astype(int), *columns, strict=True):
        kind = DemandKind(dtype, nature, cause, touchpoint)
        total += int(count)
        if any(_names(r, kind) and matches(r, kind) for r in named_routes):
            named += int(count)
        if kind.demand_type and _fold(kind.demand_type) in known:
            known_demands += int(count)
        elif kind.demand_type:
            unknown[kind.demand_type] = unknown.get(kind.demand_type, 0) + int(count)
    return Coverage(m.name, total, known_demands, named, unknown)


def _names(route: Route, kind: DemandKind) -> bool:
    """Whether the route's own conditions name this demand (not only its touchpoint)."""
    return bool((route.types and _fold(kind.demand_type) in {_fold(t) for t in route.types})
                or (route.nature and kind.nature) or (route.cause and kind.cause))
