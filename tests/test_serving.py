"""A laptop or a shared server (workbench.serving): the address `workbench app` listens on, what it says in the
terminal, whether sign-in is configured, whether the app may write process maps, and Streamlit's safe
security settings as the app runs with them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workbench import cli, limits, serving

ROOT = Path(__file__).resolve().parent.parent
AUTH = """[auth]
redirect_uri = "https://workbench.example.org/oauth2callback"
cookie_secret = "not-a-real-secret"
client_id = "workbench"
client_secret = "not-a-real-secret"
server_metadata_url = "https://login.example.org/.well-known/openid-configuration"
"""


def secrets(folder: Path, text: str) -> Path:
    path = folder / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder and a home without any secrets file, and no WORKBENCH_MAP_FILES: a plain laptop."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    monkeypatch.delenv(serving.MAP_FILES_SETTING, raising=False)
    return tmp_path


# ------------------------------------------------------------------------------------------ sign-in configured


def test_the_secrets_files_are_streamlits_home_then_project(tmp_path: Path) -> None:
    home, work = tmp_path / "h", tmp_path / "w"
    found = serving.secrets_files(cwd=work, home=home)
    assert found[:2] == [home / ".streamlit" / "secrets.toml", work / ".streamlit" / "secrets.toml"]
    assert found[2] == ROOT / "workbench" / "app" / ".streamlit" / "secrets.toml"  # beside the entry script


@pytest.mark.parametrize(("text", "configured"), [
    (AUTH, True),
    ("[auth]\nredirect_uri = 'x'\n[auth.microsoft]\nclient_id = 'a'\n", True),  # named providers
    ("[auth.keycloak]\nclient_id = 'a'\n", True),  # only a provider's table: still an [auth] section
    ("[database]\nurl = 'postgresql://x'\n", False),
    ("auth = 'yes'\n", False),  # a value called auth is not Streamlit's section
    ("# [auth]\n[other]\n", False),  # commented out
    ("[auth]\nredirect_uri = \n", True),  # does not parse, but someone meant sign-in: counted as configured
    ("", False),
])
def test_sign_in_is_configured_by_an_auth_section(tmp_path: Path, text: str, configured: bool) -> None:
    path = secrets(tmp_path, text)
    assert serving.signin_configured([path]) is configured
    assert serving.signin_configured([tmp_path / "missing.toml", path]) is configured


def test_sign_in_is_read_from_the_project_folder_or_the_home_folder(nowhere: Path) -> None:
    assert not serving.signin_configured()
    secrets(nowhere / "home", AUTH)
    assert serving.signin_configured()
    (nowhere / "home" / ".streamlit" / "secrets.toml").unlink()
    secrets(nowhere / "work", AUTH)
    assert serving.signin_configured()


# ------------------------------------------------------------------------------------------ laptop or shared


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("workbench.example.org", False),
    ("", False), (None, False),  # unset: Streamlit listens on every interface
])
def test_only_a_loopback_address_keeps_the_server_on_this_machine(address: str | None, loopback: bool) -> None:
    assert serving.is_loopback(address) is loopback


def test_process_maps_are_writable_on_a_laptop_and_read_only_on_a_shared_server(
        nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert serving.map_files_writable("127.0.0.1")  # a laptop: today's behaviour
    assert not serving.shared_server("127.0.0.1")
    for beyond in ("0.0.0.0", "10.0.0.5", None):
        assert serving.shared_server(beyond) and not serving.map_files_writable(beyond), beyond
    secrets(nowhere / "work", AUTH)  # sign-in configured, even behind a proxy on the loopback address
    assert serving.shared_server("127.0.0.1") and not serving.map_files_writable("127.0.0.1")
    monkeypatch.setenv(serving.MAP_FILES_SETTING, "writable")  # the administrator allows it
    assert serving.map_files_writable("0.0.0.0") and serving.map_files_writable("127.0.0.1")
    monkeypatch.setenv(serving.MAP_FILES_SETTING, "read-only")  # or forbids it, even on a laptop
    (nowhere / "work" / ".streamlit" / "secrets.toml").unlink()
    assert not serving.map_files_writable("127.0.0.1")
    assert "switched off" in serving.read_only_reason()
    monkeypatch.setenv(serving.MAP_FILES_SETTING, "maybe")  # not a value it knows: the decision by the server
    assert serving.map_files_writable("127.0.0.1") and not serving.map_files_writable("0.0.0.0")


# ------------------------------------------------------------------------------------------ workbench app


@pytest.fixture
def started(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """`workbench app` runs up to starting Streamlit; the commands it would have run are collected."""
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", f"sqlite:///{nowhere / 'w.db'}")
    commands: list[list[str]] = []
    monkeypatch.setattr(cli, "_serve", lambda command, env=None: commands.append(command) or 0)
    return commands


def option(command: list[str], name: str) -> str:
    return command[command.index(f"--server.{name}") + 1]


def test_workbench_app_listens_on_this_machine_only_and_says_nothing_more(
        started: list[list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["app", "--headless"]) == 0
    (command,) = started
    assert option(command, "address") == "127.0.0.1"
    err = capsys.readouterr().err
    assert "network" not in err and "WARNING" not in err


@pytest.mark.parametrize("how", [["--share"], ["--address", "0.0.0.0"]])
def test_listening_on_the_network_without_sign_in_is_a_plain_warning(
        started: list[list[str]], capsys: pytest.CaptureFixture[str], how: list[str]) -> None:
    assert cli.main(["app", "--headless", "--port", "8600", *how]) == 0
    (command,) = started
    assert option(command, "address") == "0.0.0.0"
    err = capsys.readouterr().err
    assert "Workbench is listening on 0.0.0.0:8600: other computers on the network can reach it." in err
    assert ("WARNING: sign-in is not configured, so ANYONE who can reach this address can open, change, export "
            "and delete EVERY study.") in err
    assert "docs/access.md" in err
    assert "process_maps/ folder is read-only to the app" in err


def test_with_sign_in_configured_the_terminal_says_people_sign_in(
        started: list[list[str]], capsys: pytest.CaptureFixture[str], nowhere: Path) -> None:
    secrets(nowhere / "work", AUTH)
    assert cli.main(["app", "--headless", "--share"]) == 0
    err = capsys.readouterr().err
    assert "every page asks people to sign in first" in err and "WARNING" not in err


def test_an_address_and_share_together_are_refused(started: list[list[str]]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["app", "--address", "10.0.0.5", "--share"])
    assert exit_.value.code == 2 and started == []


def test_the_makefile_and_readme_start_the_app_as_documented() -> None:
    """`make run` is `workbench app --port $(PORT)`: this machine only, at the address the README names."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(VENV)/bin/workbench app --port $(PORT)\n" in makefile
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in quick.splitlines()] == [["make", "run"], ["make", "test"]]
    assert "http://localhost:8501" in quick
    assert "--share" in readme and "--address 0.0.0.0" in readme


# ------------------------------------------------------------------------------------------ safe settings


def _flags(command: list[str]) -> dict[str, object]:
    """The `--section.option value` pairs of a streamlit command, typed as Streamlit's command line types them."""
    flags: dict[str, object] = {}
    for name, value in zip(command, command[1:], strict=False):
        if name.startswith("--") and "." in name:
            typed: object = {"true": True, "false": False}.get(value, value)
            flags[name[2:]] = int(value) if value.isdigit() else typed
    return flags


def test_xsrf_and_cors_protection_stay_on_in_the_config_and_the_command(started: list[list[str]],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's safe defaults (XSRF protection on; CORS protection on, so no other site's page may call the
    server) in the project's config file, in what `workbench app` passes, and in the configuration Streamlit
    builds from both; even a STREAMLIT_* variable switching them off does not win over `workbench app`."""
    from streamlit import config

    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True
    assert not server.get("corsAllowedOrigins")
    assert server["address"] == "127.0.0.1"
    assert server["maxUploadSize"] == limits.UPLOAD_MB.default
    assert cli.main(["app", "--headless", "--share"]) == 0
    (command,) = started
    assert option(command, "enableXsrfProtection") == "true" and option(command, "enableCORS") == "true"
    assert option(command, "maxUploadSize") == str(limits.UPLOAD_MB.value)
    monkeypatch.chdir(ROOT)  # the project's .streamlit/config.toml, as `make run` reads it
    monkeypatch.setenv("STREAMLIT_SERVER_ENABLE_CORS", "false")
    monkeypatch.setenv("STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION", "false")
    try:
        config.get_config_options(force_reparse=True, options_from_flags=_flags(command))
        assert config.get_option("server.enableXsrfProtection") is True
        assert config.get_option("server.enableCORS") is True
        assert config.get_option("server.corsAllowedOrigins") == []
        assert config.get_option("server.maxUploadSize") == limits.UPLOAD_MB.value
        assert config.get_option("server.address") == "0.0.0.0"
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)  # as this process had it, for the tests after this one


def test_the_upload_cap_setting_reaches_streamlit(started: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(limits.UPLOAD_MB.setting, "50")
    assert cli.main(["app", "--headless"]) == 0
    (command,) = started
    assert option(command, "maxUploadSize") == "50"
