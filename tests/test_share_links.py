"""Share links in the store, on SQLite and PostgreSQL: an unguessable token shown once and stored only as its
hash, optional expiry, withdrawal at once, plain refusals, and only a study's managers make, list or withdraw
its links."""

from __future__ import annotations

import hashlib
import json
import re
import string
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench import cli
from workbench.access import AccessDenied, Actor, link_holder, person
from workbench.store import studies
from workbench.store.access import acting
from workbench.store.models import ShareLinkRow
from workbench.store.share_links import LinkRefused, list_links, make_link, open_link, revoke_link

URLSAFE = set(string.ascii_letters + string.digits + "-_")
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def study_id(session: Session) -> int:
    return studies.create_study(session, "Housing repairs").id


def stored(session: Session) -> list[ShareLinkRow]:
    with session.begin():
        rows = list(session.scalars(select(ShareLinkRow).order_by(ShareLinkRow.id)))
        session.expunge_all()
    return rows


def refusal(session: Session, token: str, **kw: datetime) -> LinkRefused:
    with pytest.raises(LinkRefused) as caught:
        open_link(session, token, **kw)
    return caught.value


def test_a_link_opens_its_study_and_only_its_hash_is_stored(session: Session, study_id: int) -> None:
    made = make_link(session, study_id, label="For the director", author="Ann")
    token = made.token
    # unguessable: token_urlsafe(32) is 43 characters of a 64-letter alphabet, 6 bits each: 258 >= 128 bits
    assert len(token) == 43 and set(token) <= URLSAFE
    assert len(token) * 6 >= 128
    assert made.path() == f"/?share={token}"
    assert open_link(session, token) == study_id
    rows = stored(session)
    assert len(rows) == 1
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(rows[0].__dict__)  # the token itself is nowhere in the row
    assert (rows[0].label, rows[0].created_by, rows[0].expires_at, rows[0].revoked_at) == (
        "For the director", "Ann", None, None)
    # every link has a token of its own
    other = make_link(session, study_id)
    assert other.token != token and open_link(session, other.token) == study_id
    assert len({r.token_hash for r in stored(session)}) == 2


def test_tampered_and_foreign_tokens_are_refused_in_plain_words(session: Session, study_id: int) -> None:
    token = make_link(session, study_id).token
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (changed, token[:-5], token + "x", "", "not a token at all", "<script>", token.upper()
                  if token.upper() != token else token.lower(), "a" * 10_000):
        refused = refusal(session, wrong)
        assert refused.reason == "unknown"
        assert "does not open anything" in str(refused) and "Housing repairs" not in str(refused)
        assert wrong not in str(refused) or wrong == ""


def test_expiry(session: Session, study_id: int) -> None:
    made = make_link(session, study_id, expires_days=7, now=T0)
    assert made.link.expires_at == T0 + timedelta(days=7)
    assert open_link(session, made.token, now=T0 + timedelta(days=7) - timedelta(seconds=1)) == study_id
    refused = refusal(session, made.token, now=T0 + timedelta(days=7))
    assert refused.reason == "expired" and str(refused) == ("This link expired on 09 Mar 2026 09:30 UTC. Ask "
                                                           "whoever sent it for a new link.")
    [listed] = list_links(session, study_id)
    assert listed.state(T0) == "open" and listed.state_words(T0) == "open until 09 Mar 2026 09:30 UTC"
    assert listed.state(T0 + timedelta(days=8)) == "expired"
    assert listed.state_words(T0 + timedelta(days=8)) == "expired on 09 Mar 2026 09:30 UTC"
    # stored already past its expiry (the real clock): refused without an injected time
    past = make_link(session, study_id, expires_days=1, now=datetime.now(UTC) - timedelta(days=2))
    assert refusal(session, past.token).reason == "expired"
    for days in (0, -1, 3651):
        with pytest.raises(ValueError, match="between 1 and 3650 days"):
            make_link(session, study_id, expires_days=days)


def test_withdrawing_a_link_refuses_it_at_once(session: Session, study_id: int) -> None:
    kept, withdrawn = make_link(session, study_id, label="kept"), make_link(session, study_id, label="gone")
    assert open_link(session, withdrawn.token) == study_id
    done = revoke_link(session, study_id, withdrawn.link.id, author="Bob", now=T0)
    assert (done.revoked_at, done.revoked_by, done.state()) == (T0, "Bob", "revoked")
    refused = refusal(session, withdrawn.token)
    assert refused.reason == "revoked" and "withdrawn on 02 Mar 2026 09:30 UTC" in str(refused)
    assert open_link(session, kept.token) == study_id  # the other link still opens
    again = revoke_link(session, study_id, withdrawn.link.id, author="Cy")  # the first withdrawal stays
    assert (again.revoked_at, again.revoked_by) == (T0, "Bob")
    listed = list_links(session, study_id)
    assert [(link.label, link.state()) for link in listed] == [("gone", "revoked"), ("kept", "open")]  # newest first
    assert listed[0].state_words() == "withdrawn on 02 Mar 2026 09:30 UTC by Bob"
    assert listed[1].state_words() == "open, no expiry"
    with pytest.raises(studies.NotFoundError, match="no share link"):
        revoke_link(session, study_id, 999)
    other = studies.create_study(session, "Other").id
    with pytest.raises(studies.NotFoundError, match="no share link"):  # a link is withdrawn from its own study
        revoke_link(session, other, kept.link.id)
    assert open_link(session, kept.token) == study_id


def test_an_archived_or_deleted_study_is_not_opened(session: Session, study_id: int) -> None:
    token = make_link(session, study_id).token
    studies.archive_study(session, study_id)
    refused = refusal(session, token)
    assert refused.reason == "archived" and "archived" in str(refused) and "Housing repairs" not in str(refused)
    with pytest.raises(studies.StoreError, match="archived"):  # nor is a new link made for it
        make_link(session, study_id)
    studies.archive_study(session, study_id, archived=False)
    assert open_link(session, token) == study_id  # brought back: the link opens again
    studies.delete_study(session, study_id)
    assert refusal(session, token).reason == "unknown"
    assert stored(session) == []  # deleted with the study


def test_only_a_manager_makes_lists_or_withdraws_links(session: Session, study_id: int) -> None:
    made = make_link(session, study_id)  # the local person (laptop, command line) may
    other = studies.create_study(session, "Other").id
    strangers = [link_holder(study_id), link_holder(other), Actor(kind="link"),
                 person("Pat", "pat@example.org")]  # signed in, with no role in the study
    for who in strangers:
        acting(session, who)
        with pytest.raises(AccessDenied, match="may not manage"):
            make_link(session, study_id)
        with pytest.raises(AccessDenied):
            list_links(session, study_id)
        with pytest.raises(AccessDenied):
            revoke_link(session, study_id, made.link.id)
    acting(session, Actor())
    assert [link.id for link in list_links(session, study_id)] == [made.link.id]
    assert open_link(session, made.token) == study_id  # nothing was withdrawn


def test_a_signed_in_maker_is_named_by_the_provider_not_by_what_is_typed(session: Session, study_id: int) -> None:
    acting(session, person("Ann Smith", "ann@example.org", admins={"ann@example.org"}))
    made = make_link(session, study_id, author="The Director")
    assert made.link.created_by == "Ann Smith"
    assert revoke_link(session, study_id, made.link.id, author="Someone").revoked_by == "Ann Smith"


def test_opening_a_link_needs_no_account(session: Session, study_id: int) -> None:
    token = make_link(session, study_id).token
    for who in (Actor(kind="link"), person("Pat", "pat@example.org")):
        acting(session, who)
        assert open_link(session, token) == study_id


def test_the_token_shape(session: Session, study_id: int) -> None:
    tokens = {make_link(session, study_id).token for _ in range(20)}
    assert len(tokens) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)


# ------------------------------------------------------------------------------------------ the command line


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_makes_lists_and_withdraws_links(session: Session, database_url: str,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", database_url)
    study_id = studies.create_study(session, "Housing repairs").id
    code, out, err = run(capsys, "study", "share", "Housing repairs", "--label", "For the director",
                         "--expires-days", "7", "--by", "Ann", "--url", "https://workbench.example.org/")
    assert (code, err) == (0, "")
    [link] = list_links(session, study_id)
    first, address, last = out.splitlines()
    assert first == (f"A read-only link to the dashboard of 'Housing repairs' (link {link.id}, "
                     f"{link.state_words()}):")
    token = address.removeprefix("https://workbench.example.org/?share=")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token) and open_link(session, token) == study_id
    assert last.startswith("Copy it now")
    assert (link.label, link.created_by, link.expires_at - link.created_at) == (  # type: ignore[operator]
        "For the director", "Ann", timedelta(days=7))

    code, out, err = run(capsys, "study", "share", str(study_id), "--format", "json")
    made = json.loads(out)
    assert (code, made["study"], made["expires_at"], made["state"]) == (0, "Housing repairs", None, "open")
    assert made["link"] == f"http://localhost:8501/?share={made['token']}"
    assert open_link(session, made["token"]) == study_id

    code, out, err = run(capsys, "study", "links", "Housing repairs", "--format", "json")
    listed = json.loads(out)["links"]
    assert [(x["id"], x["state"], x["created_by"]) for x in listed] == [(made["id"], "open", ""),
                                                                        (link.id, "open", "Ann")]
    assert "token" not in listed[0]

    code, out, err = run(capsys, "study", "revoke-link", "Housing repairs", str(link.id), "--by", "Bob")
    [withdrawn] = [x for x in list_links(session, study_id) if x.id == link.id]
    assert (code, out) == (0, f"Link {link.id} (For the director) of 'Housing repairs': "
                              f"{withdrawn.state_words()}.\n")
    assert withdrawn.revoked_by == "Bob" and refusal(session, token).reason == "revoked"
    code, out, err = run(capsys, "study", "links", str(study_id))
    assert code == 0 and out.splitlines()[0].split() == ["id", "made", "by", "for", "state"]
    assert f"withdrawn on {withdrawn.revoked_at:%d %b %Y %H:%M} UTC by Bob" in out

    for argv, words in [(("study", "revoke-link", str(study_id), "999"), "no share link 999"),
                        (("study", "share", str(study_id), "--expires-days", "0"), "between 1 and 3650 days"),
                        (("study", "links", "No such study"), "there is no study 'No such study'")]:
        code, out, err = run(capsys, *argv)
        assert (code, out) == (cli.EXIT_UNUSABLE, ""), argv
        assert err.startswith("workbench: ") and words in err and err.count("\n") == 1, err
