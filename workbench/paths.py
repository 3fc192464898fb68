"""Where the bundled files live. The project is run from a checkout (`make run` installs it editable), so
the sample data and process maps sit beside the package."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = Path(os.environ.get("WORKBENCH_SAMPLE_DIR", PROJECT_ROOT / "sample_data"))
SAMPLE_DEMAND = SAMPLE_DIR / "housing_repairs_demand.csv"
SAMPLE_CATALOGUE = SAMPLE_DIR / "housing_repairs_catalogue.yaml"
CALL_CENTRE_DEMAND = SAMPLE_DIR / "call_centre_demand.csv"
CALL_CENTRE_CATALOGUE = SAMPLE_DIR / "call_centre_catalogue.yaml"
PROCESS_MAPS_DIR = PROJECT_ROOT / "process_maps"
CALL_CENTRE_MAPS = "call_centre"  # the call-centre sample's maps: a folder inside the process-maps folder


def process_maps_dir() -> Path:
    """The folder of process maps; WORKBENCH_MAPS_DIR points it elsewhere (read at each call, for tests)."""
    return Path(os.environ.get("WORKBENCH_MAPS_DIR", PROCESS_MAPS_DIR))
APP_ENTRY = Path(__file__).resolve().parent / "app" / "main.py"
