"""*Save a copy as a file* (Flow page, workbench/flow/files.py): never replaces a file unless the person chose
Overwrite for it (pressing Save twice is not a choice: that is how the sample worker-led map was replaced), and
on a shared server the process_maps/ folder is read-only to the app unless its administrator allows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_pages import FlowScreen, open_app
from flow_fixtures import SMALL_MAP, maps_folder
from streamlit import config

from workbench import serving
from workbench.flow.files import MapFileExists, MapFileRefused, save_copy
from workbench.flow.model import load_map

NAME_BOX = "File name in process_maps/"
AUTH = '[auth]\nredirect_uri = "https://w.example.org/oauth2callback"\ncookie_secret = "x"\n'


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = maps_folder(tmp_path)
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(folder))
    monkeypatch.delenv(serving.MAP_FILES_SETTING, raising=False)
    return folder


@pytest.fixture
def listening_on_every_address() -> Iterator[None]:
    """The app as `workbench app --share` runs it: Streamlit's server.address is 0.0.0.0."""
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        yield
    finally:
        config.set_option("server.address", before)


def _download_labels(flow: FlowScreen) -> list[str]:
    return [e.proto.label for e in flow.at.get("download_button")]


# ------------------------------------------------------------------------------------------ the core


def test_an_existing_file_is_replaced_only_when_overwriting_is_chosen(folder: Path) -> None:
    target = folder / "small.yaml"
    with pytest.raises(MapFileExists, match="small.yaml already exists in process_maps/ with other contents"):
        save_copy("name: Mine\n", target, address="127.0.0.1")
    with pytest.raises(MapFileExists):  # and again: asking twice is not choosing
        save_copy("name: Mine\n", target, address="127.0.0.1")
    assert target.read_text(encoding="utf-8") == SMALL_MAP
    assert save_copy(SMALL_MAP, target, address="127.0.0.1") == target  # the same text: nothing to ask
    assert save_copy("name: Mine\n", target, address="127.0.0.1", overwrite=True) == target
    assert target.read_text(encoding="utf-8") == "name: Mine\n"
    assert save_copy("name: New\n", folder / "new.yaml", address="localhost").read_text() == "name: New\n"
    assert sorted(p.name for p in folder.iterdir()) == ["new.yaml", "small.yaml"]  # no temporary files left


def test_overwriting_replaces_a_link_in_the_folder_not_the_file_it_points_to(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("keep me", encoding="utf-8")
    (folder / "link.yaml").symlink_to(outside)
    with pytest.raises(MapFileExists):
        save_copy("name: Mine\n", folder / "link.yaml", address="127.0.0.1")
    save_copy("name: Mine\n", folder / "link.yaml", address="127.0.0.1", overwrite=True)
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert not (folder / "link.yaml").is_symlink() and (folder / "link.yaml").read_text() == "name: Mine\n"


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", None])
def test_a_server_on_the_network_writes_no_map_file(folder: Path, address: str | None) -> None:
    for overwrite in (False, True):
        with pytest.raises(MapFileRefused, match="shared server"):
            save_copy("name: Mine\n", folder / "small.yaml", address=address, overwrite=overwrite)
        with pytest.raises(MapFileRefused):
            save_copy("name: Mine\n", folder / "fresh.yaml", address=address, overwrite=overwrite)
    assert (folder / "small.yaml").read_text(encoding="utf-8") == SMALL_MAP and not (folder / "fresh.yaml").exists()


def test_with_sign_in_configured_the_maps_folder_is_read_only_unless_allowed(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    (work / ".streamlit").mkdir(parents=True)
    (work / ".streamlit" / "secrets.toml").write_text(AUTH, encoding="utf-8")
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(MapFileRefused):
        save_copy("name: Mine\n", folder / "fresh.yaml", address="127.0.0.1")
    monkeypatch.setenv(serving.MAP_FILES_SETTING, "writable")  # the administrator's choice
    save_copy("name: Mine\n", folder / "fresh.yaml", address="127.0.0.1")
    assert (folder / "fresh.yaml").read_text(encoding="utf-8") == "name: Mine\n"


# ------------------------------------------------------------------------------------------ the Flow page


def test_pressing_save_twice_does_not_replace_the_file(folder: Path) -> None:
    flow = FlowScreen(open_app("flow"))
    flow.edit_step(1, role="agent")
    flow.type(NAME_BOX, "small")
    flow.press("Save")
    flow.press("Save")  # the reported attack: Save, then Save again
    flow.assert_no_exception()
    assert (folder / "small.yaml").read_text(encoding="utf-8") == SMALL_MAP
    assert flow.says("warning", "small.yaml already exists with other contents, so it was not replaced")
    flow.press("Overwrite small.yaml")  # the explicit choice
    flow.assert_no_exception()
    assert load_map(folder / "small.yaml").step("process").role == "agent"
    assert not flow.says("warning", "already exists")


def test_save_as_a_new_file_keeps_the_old_one(folder: Path) -> None:
    flow = FlowScreen(open_app("flow"))
    flow.edit_step(1, role="agent")
    flow.type(NAME_BOX, "small")
    flow.press("Save")
    flow.press("Save as small-2.yaml")
    assert (folder / "small.yaml").read_text(encoding="utf-8") == SMALL_MAP
    assert load_map(folder / "small-2.yaml").step("process").role == "agent"


def test_on_a_shared_server_the_page_offers_a_download_and_no_save(folder: Path,
                                                                  listening_on_every_address: None) -> None:
    flow = FlowScreen(open_app("flow"))
    flow.edit_step(1, role="agent")
    flow.assert_no_exception()
    assert not [b for b in flow.at.button if b.label in ("Save", "Overwrite small.yaml")]
    assert not [t for t in flow.at.text_input if t.label == NAME_BOX]
    assert flow.says("caption", "This is a shared server, so its process_maps/ folder is read-only to the app")
    assert "Download YAML" in _download_labels(flow)
    assert (folder / "small.yaml").read_text(encoding="utf-8") == SMALL_MAP
    assert [p.name for p in folder.iterdir()] == ["small.yaml"]


def test_an_administrator_can_let_a_shared_server_save_copies(folder: Path, listening_on_every_address: None,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(serving.MAP_FILES_SETTING, "writable")
    flow = FlowScreen(open_app("flow"))
    flow.type(NAME_BOX, "shared_copy")
    flow.press("Save")
    flow.assert_no_exception()
    assert (folder / "shared_copy.yaml").exists()
