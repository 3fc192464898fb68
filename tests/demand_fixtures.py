"""A small demand-type catalogue shared by the loader and correction tests: one value type and two failure
types with their causes, so tests can see nature and cause filled from the type."""

from __future__ import annotations

from workbench.demand.catalogue import Catalogue, parse_catalogue

SMALL_CATALOGUE_TEXT = """\
types:
  - type: Report a leak
    nature: value
  - type: Chasing a repair
    nature: failure
    cause: progress chasing
  - type: Nobody turned up
    nature: failure
    cause: not done
"""


def small_catalogue(name: str = "test-catalogue.yaml") -> Catalogue:
    return parse_catalogue(SMALL_CATALOGUE_TEXT, name)
