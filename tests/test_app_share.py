"""Share links in the app (AppTest): a link opens its study's dashboard alone, whatever else the address says;
refused links are a plain page; the study's owners make, see and withdraw links on the Dashboard page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from app_helpers import metric
from app_pages import Screen, open_app
from streamlit.testing.v1 import AppTest

from workbench.access import link_holder
from workbench.app import keys
from workbench.store import db, sample, share_links, studies
from workbench.store.sample import SAMPLE_STUDY

T = TypeVar("T")
OTHER = "Other team's secret study"


def in_store(call: Callable[[studies.Session], T]) -> T:  # type: ignore[name-defined]
    """`call(session)` on the database the app under test uses (made and migrated, with its sample study)."""
    engine = db.engine_for()
    try:
        db.migrate(engine)
        with db.sessions(engine)() as s:
            sample.ensure_sample_study(s)
            return call(s)
    finally:
        engine.dispose()


@pytest.fixture
def ids() -> tuple[int, int]:
    """The sample study (with demand) and another study, whose name must never show through a link."""
    def make(s: Any) -> tuple[int, int]:
        found = studies.find_study(s, SAMPLE_STUDY)
        assert found is not None
        return found.id, studies.create_study(s, OTHER).id
    return in_store(make)


def new_link(study_id: int, **kw: Any) -> share_links.NewLink:
    return in_store(lambda s: share_links.make_link(s, study_id, **kw))


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def everything(at: AppTest) -> str:
    """All the page sends the browser, as text: every element's message."""
    return "\n".join(str(n.proto) for n in _walk(at._tree) if getattr(n, "proto", None) is not None)


def assert_dashboard_alone(at: AppTest, name: str) -> None:
    """The study's dashboard, read-only: nothing to type, pick or press, no sidebar, nothing of another study."""
    Screen(at).assert_no_exception()
    assert [t.value for t in at.title] == [name]
    assert metric(at, "Demands") == "2,532"
    assert len(at.sidebar) == 0
    for kind in ("text_input", "button", "selectbox", "number_input", "file_uploader", "checkbox", "radio",
                 "expander"):
        assert len(getattr(at, kind)) == 0, kind
    assert OTHER not in everything(at)


def refused(at: AppTest) -> str:
    Screen(at).assert_no_exception()
    assert [t.value for t in at.title] == ["This link does not open"]
    shown = everything(at)
    assert SAMPLE_STUDY not in shown and OTHER not in shown and "Demands" not in shown
    assert len(at.sidebar) == 0 and not at.button
    return " ".join(i.value for i in at.info)


def test_a_link_opens_its_studys_dashboard_alone(ids: tuple[int, int]) -> None:
    sample_id, _ = ids
    token = new_link(sample_id).token
    at = open_app(share=token)
    assert_dashboard_alone(at, SAMPLE_STUDY)
    assert at.session_state[keys.ACTOR] == link_holder(sample_id)  # the store's sessions act as the link
    assert "study" not in at.query_params  # the address stays as sent
    at.run()  # a rerun (the link is checked again) shows the same
    assert_dashboard_alone(at, SAMPLE_STUDY)


@pytest.mark.parametrize("query", [
    {"study": "other"}, {"view": "flow"}, {"view": "dashboard", "study": "other"}, {"study": "9999"},
    {"view": "studies", "study": "other", "who": "The Director"}, {"study": "not a number"},
])
def test_changing_the_address_never_reaches_anything_else(ids: tuple[int, int], query: dict[str, str]) -> None:
    sample_id, other_id = ids
    token = new_link(sample_id).token
    at = open_app(share=token, **{k: str(other_id) if v == "other" else v for k, v in query.items()})
    assert_dashboard_alone(at, SAMPLE_STUDY)
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # no other page is there
        at.switch_page("views/flow.py")
    # the same address without the link's token, in the session the link opened: nothing
    del at.query_params[share_links.PARAM]
    at.run()
    assert "opened by a share link" in refused(at)


def test_refused_links_are_a_plain_page(ids: tuple[int, int]) -> None:
    sample_id, _ = ids
    token = new_link(sample_id).token
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for wrong in (tampered, token[:20], "nonsense", ""):
        assert "does not open anything" in refused(open_app(share=wrong, study=str(sample_id)))
    expired = new_link(sample_id, expires_days=1, now=datetime.now(UTC) - timedelta(days=3))
    assert "This link expired on" in refused(open_app(share=expired.token))
    withdrawn = new_link(sample_id)
    in_store(lambda s: share_links.revoke_link(s, sample_id, withdrawn.link.id, author="Ann"))
    assert "This link was withdrawn on" in refused(open_app(share=withdrawn.token))
    assert_dashboard_alone(open_app(share=token), SAMPLE_STUDY)  # the first link still opens
    in_store(lambda s: studies.archive_study(s, sample_id))
    assert "has been archived" in refused(open_app(share=token))


def test_a_link_withdrawn_while_open_is_refused_at_the_next_run(ids: tuple[int, int]) -> None:
    sample_id, _ = ids
    made = new_link(sample_id)
    at = open_app(share=made.token)
    assert_dashboard_alone(at, SAMPLE_STUDY)
    in_store(lambda s: share_links.revoke_link(s, sample_id, made.link.id))
    at.run()
    assert "withdrawn" in refused(at)


# ------------------------------------------------------------------------ the owners' panel


class SharePanel(Screen):
    """The Dashboard page's "Share a read-only link" panel."""

    def make(self, label: str = "", days: int = 30) -> str:
        next(t for t in self.at.text_input if t.label == "What the link is for (optional)").set_value(label)
        next(n for n in self.at.number_input if n.label.startswith("Expires after")).set_value(days)
        self.press("Make a link")
        self.assert_no_exception()
        return self.shown_link()

    def shown_link(self) -> str:
        [code] = [c.value for c in self.at.code]
        return code

    def listed(self) -> list[str]:
        return [m.value for m in self.at.markdown if m.value.endswith(".") and ": made" in m.value]

    def withdraw(self, index: int = 0) -> None:
        [b for b in self.at.button if b.label == "Withdraw"][index].click().run()
        self.assert_no_exception()


def test_the_owner_makes_sees_and_withdraws_a_link(ids: tuple[int, int]) -> None:
    sample_id, _ = ids
    at = open_app("dashboard", author="Ann", study=str(sample_id))
    panel = SharePanel(at)
    assert [e.label for e in at.expander] == ["Share a read-only link"]
    assert not at.code and panel.listed() == []  # no old-style link to hand out
    link = panel.make("For the director *now*", days=7)
    assert link.startswith("/?share=")  # AppTest has no browser address: the path after it
    token = link.removeprefix("/?share=")
    assert in_store(lambda s: share_links.open_link(s, token)) == sample_id
    [listed] = in_store(lambda s: share_links.list_links(s, sample_id))
    assert (listed.label, listed.created_by) == ("For the director *now*", "Ann")
    assert listed.expires_at is not None and listed.expires_at - listed.created_at == timedelta(days=7)
    [line] = panel.listed()
    assert line.startswith(r"For the director \*now\*: made by Ann on ")  # the label is shown as typed
    assert line.endswith(f"open until {listed.expires_at:%d %b %Y %H:%M} UTC.")
    # shown until hidden (other clicks keep it); then never again
    at.run()
    assert panel.shown_link() == link
    panel.press("I have copied it: hide it")
    assert not at.code and token not in everything(at)
    panel.withdraw()
    [gone] = in_store(lambda s: share_links.list_links(s, sample_id))
    assert gone.state() == "revoked" and gone.revoked_by == "Ann"
    assert panel.listed()[0].endswith(f"withdrawn on {gone.revoked_at:%d %b %Y %H:%M} UTC by Ann.")
    assert not [b for b in at.button if b.label == "Withdraw"]
    assert "withdrawn" in refused(open_app(share=token))


def test_an_archived_study_is_not_shared(ids: tuple[int, int]) -> None:
    sample_id, _ = ids
    in_store(lambda s: studies.archive_study(s, sample_id))
    at = open_app("dashboard", study=str(sample_id))
    assert any("archived" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Make a link"]


def test_the_dashboard_alone_by_view_shows_no_panel(ids: tuple[int, int]) -> None:
    """`?view=dashboard&study=N` stays a view for people already in the app: no panel, nothing to press."""
    sample_id, _ = ids
    at = open_app(view="dashboard", study=str(sample_id))
    assert not at.expander and not at.button and not at.code
