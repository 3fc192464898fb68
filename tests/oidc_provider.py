"""A local OpenID Connect provider for the sign-in tests (oidc-provider-mock, in a thread of the test process),
the secrets.toml that points a Workbench server at it, and the page steps of signing in and out.

Nothing leaves this machine: the provider listens on localhost, the app server fetches its metadata there, and
each browser context refuses every request to any other address (the provider's pages link a stylesheet from
the internet, which is not needed to press their buttons).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import BrowserContext, Page, expect

from conftest import AppServer

CLIENT_ID = "workbench-tests"
NOT_LOCAL = re.compile(r"^(?!https?://(localhost|127\.0\.0\.1)(:\d+)?/)")


@dataclass(frozen=True)
class Person:
    """Someone the provider knows: `sub` is the button on its sign-in form."""

    sub: str
    name: str
    email: str

    @property
    def identity(self) -> str:
        """How the app names them on their changes (workbench.store.access.identity)."""
        return f"{self.name} <{self.email}>"

    def user(self) -> User:
        return User(sub=self.sub, claims={"name": self.name, "email": self.email, "email_verified": True})


@contextmanager
def provider(people: list[Person]) -> Iterator[str]:
    """A provider that lets each of `people` sign in with one click; yields its address."""
    with run_server_in_thread(user_claims=[p.user() for p in people]) as server:
        yield f"http://localhost:{server.server_port}"


def secrets_toml(folder: Path, provider_url: str, app_port: int) -> Path:
    """What a server's .streamlit/secrets.toml holds for sign-in (docs/access.md), for this provider and port."""
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        'client_secret = "not-a-secret-the-provider-accepts-any"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    return path


class SignInServer(AppServer):
    """A Workbench server whose secrets configure sign-in with the local provider."""

    NAME = "streamlit-signin"

    def __init__(self, tmp: Path, provider_url: str, env: dict[str, str] | None = None) -> None:
        super().__init__(tmp, env)
        self.secrets = secrets_toml(tmp, provider_url, self.port)

    def command(self) -> list[str]:
        return [*super().command(), "--secrets.files", str(self.secrets)]


def local_only(context: BrowserContext) -> BrowserContext:
    """Refuse every request of the context that is not to this machine."""
    context.route(NOT_LOCAL, lambda route: route.abort())
    return context


def expect_sign_in_page(page: Page) -> None:
    """The sign-in page: its sentence and button, no sidebar (no navigation, no study picker)."""
    expect(page.get_by_text("Sign in to see the studies you work on")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_be_attached()
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)


def sign_in(page: Page, base_url: str, who: Person) -> None:
    """From the sign-in page: press Sign in, choose `who` on the provider's form, and be back in the app."""
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=who.sub, exact=True).click()  # the provider's one-click user
    page.wait_for_url(re.compile(rf"^{re.escape(base_url)}/"))
    expect(page.get_by_test_id("stSidebar").get_by_text(who.email)).to_be_visible()


def sign_out(page: Page, base_url: str) -> None:
    """Press Sign out in the sidebar and end the session at the provider, which sends the browser back."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base_url)}/"))
