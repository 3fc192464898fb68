"""The study the pages work on, who is working, and the connection to the store.

The current study is kept in the URL (`?study=<id>`), so a refresh or a bookmark opens the same study. Every
store call opens a short session of its own (one transaction per call, see workbench.store.studies): a page
never holds a database object across reruns.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from workbench.access import LOCAL, AccessDenied, Actor, Role
from workbench.app import keys, signin
from workbench.app.text import literal
from workbench.store import db, members, sample, studies
from workbench.store.access import acting, configured_admins

T = TypeVar("T")
log = logging.getLogger("workbench.app")
if not log.handlers and not logging.getLogger().handlers:  # the server's log: stderr, with the time
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.propagate = False


@st.cache_resource(show_spinner="Opening the study database…")
def _engine(url: str) -> Engine:
    """One engine per database for the whole server; migrations and the sample study on first use."""
    engine = db.engine_for(url)
    db.migrate(engine)
    with db.sessions(engine)() as session:
        sample.ensure_sample_study(session)
        _adopt_unowned(session, url)
    return engine


ADOPTED: dict[str, list[str]] = {}  # per database: the studies given to the administrators at this start


def _adopt_unowned(session: Session, url: str) -> None:
    """With sign-in, studies nobody is a member of yet (made before sign-in, at the command line, the sample)
    become the listed administrators' at first start, said in the server's log and to the administrators."""
    try:
        if not signin.configured():
            return
    except signin.SignInSetupError:
        return  # the gate says so; nothing is opened
    admins = configured_admins()
    adopted = members.adopt_unowned(session, admins)
    if adopted:
        ADOPTED[url] = adopted
        log.warning("Studies without owners now belong to the administrators (%s): %s", ", ".join(sorted(admins)),
                    "; ".join(adopted))
    elif not admins:
        log.warning("Sign-in is configured but no administrators are listed (WORKBENCH_ADMINS): studies without "
                    "owners can be seen by nobody until an administrator is listed.")


def database_key() -> str:
    """Which database the pages use (a cache key: tests and servers may each have their own)."""
    return db.database_url()


class _Guard:
    ok = True


def reference() -> str:
    """A short code a person can read out to an administrator, who finds it in the server's log."""
    return secrets.token_hex(3).upper()


def unexpected_message(ref: str) -> str:
    """What a person sees when something went wrong that the page did not expect: one plain sentence."""
    return (f"Something went wrong on this page (reference {ref}). Your work is saved; tell whoever runs "
            f"Workbench this reference.")


def report_unexpected(exc: BaseException, where: str = "a page") -> str:
    """Log `exc` with its traceback and a new reference (the server's log only); show the plain sentence."""
    ref = reference()
    log.error("Unexpected error on %s (reference %s)", where, ref, exc_info=exc)
    st.error(unexpected_message(ref), icon=":material/error:")
    return ref


@contextmanager
def database_errors() -> Iterator[_Guard]:
    """A database that cannot be reached is a plain message, not a traceback; nothing on screen is claimed
    as saved (each write is one transaction: it either committed before the error or did not happen). The
    page never shows the database's address or the driver's words (a server path, a host, a user): those go
    to the server's log with the reference the page shows."""
    guard = _Guard()
    try:
        yield guard
    except AccessDenied as exc:  # the person's role in the study does not allow it (workbench.store.access)
        guard.ok = False
        st.warning(literal(exc), icon=":material/lock:")
    except studies.StoreError as exc:  # e.g. the study or map was deleted in another session meanwhile
        guard.ok = False
        st.warning(f"{literal(exc)} Reload the page to see the study as it is now.",
                   icon=":material/sync_problem:")
    except SQLAlchemyError as exc:
        guard.ok = False
        _engine.clear()  # try to connect afresh on the next run
        ref = reference()
        where = make_url(database_key()).render_as_string(hide_password=True)
        log.error("The study database %s failed (reference %s)", where, ref, exc_info=exc)
        st.error(f"The study database is busy or cannot be reached just now (reference {ref}), so this page "
                 f"cannot show or save the study. What was shown as saved is safe: reload the page to try again, "
                 f"and if this keeps happening tell whoever runs Workbench this reference.",
                 icon=":material/cloud_off:")


@contextmanager
def page_errors(where: str = "a page") -> Iterator[None]:
    """Anything a page did not expect is one plain sentence with a reference, never a traceback (which goes
    to the server's log with that reference). Streamlit's own st.rerun/st.stop are BaseExceptions
    (ScriptControlException), not Exceptions, so they pass through untouched."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the last guard: whatever it was, the person gets a sentence
        report_unexpected(exc, where)


@contextmanager
def part_errors(what: str) -> Iterator[None]:
    """One part of a page drawn from stored content (a comparison, a map version, a demand file): anything
    unexpected in it is a sentence with a reference in its place, and the rest of the page is drawn. The
    database's own errors and the store's refusals go on to `database_errors`."""
    try:
        yield
    except (studies.StoreError, SQLAlchemyError, AccessDenied):
        raise
    except Exception as exc:  # noqa: BLE001 - stored content a page could not draw
        ref = reference()
        log.error("Could not show %s (reference %s)", what, ref, exc_info=exc)
        st.warning(f"{what[:1].upper()}{what[1:]} cannot be shown (reference {ref}); the rest of the page is "
                   f"fine. Tell whoever runs Workbench this reference.", icon=":material/error:")


def engine() -> Engine:
    return _engine(database_key())


# ------------------------------------------------------------------ reads shared while the study is unchanged
#
# Every write of the store API touches its study's `updated_at` (studies._touch), so (study, updated_at) names
# one state of the study. A page run reads the study once (`current()`, kept for the rest of the run) and the
# reads below, made for that state, are shared by every session and run that sees the same state: ten people
# looking at one study cost one read of its corrections, maps and catalogue per change, not one per rerun each.
# A write made by this run forgets what the run had read, so the rest of the run reads the study afresh.

_SHARED_READS = frozenset({
    "current_demand_source", "list_demand_sources", "get_catalogue", "list_catalogue_versions", "correction_log",
    "correction_versions", "list_maps", "get_map_version", "list_map_versions", "diff_map_versions",
})
_READ_ONLY = _SHARED_READS | {"get_study", "find_study", "list_studies", "demand_file", "latest_comparison_run"}
SHARED_READS_KEPT = 256  # results kept (least recently used dropped first)
_shared: OrderedDict[tuple[object, ...], object] = OrderedDict()
_shared_lock = threading.Lock()


def _run_memo() -> dict[object, Any] | None:
    """What this page run has read of the store (None outside a page run). Streamlit gives every run a new
    `cursors` dict on its context; the memo lives as long as that dict is the context's."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return None
    held = getattr(ctx, "_workbench_store_reads", None)
    if held is None or held[0] is not ctx.cursors:
        held = (ctx.cursors, {})
        ctx._workbench_store_reads = held  # type: ignore[attr-defined]
    return held[1]


def forget_reads() -> None:
    """Read the study afresh in the rest of this run (after a write)."""
    memo = _run_memo()
    if memo is not None:
        memo.clear()


def _study_state(study_id: int) -> studies.Study:
    """The study as this run first read it (one query per run), else read now."""
    memo = _run_memo()
    found = memo.get(("study", study_id)) if memo is not None else None
    if isinstance(found, studies.Study):
        return found
    fresh = _call(studies.get_study, study_id)
    if memo is not None:
        memo[("study", study_id)] = fresh
    return fresh


def _shareable(fn: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if fn.__module__ != studies.__name__ or fn.__name__ not in _SHARED_READS or not args:
        return False
    if fn.__name__ == "current_demand_source" and kwargs.get("with_data", True):
        return False  # the file's bytes: state._stored_file keeps those
    return isinstance(args[0], int)


def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with _open() as session:
        return fn(session, *args, **kwargs)


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one store API call in a session of its own. A read of a study made for a state of it already read
    (by any session) is answered from what that read returned; a write makes this run read the study afresh."""
    if getattr(fn, "__module__", "") != studies.__name__ or getattr(fn, "__name__", "") not in _READ_ONLY:
        forget_reads()  # a write (or a call this module does not know): the rest of the run reads afresh
        return _call(fn, *args, **kwargs)
    if not _shareable(fn, args, kwargs):
        return _call(fn, *args, **kwargs)
    state = _study_state(int(args[0]))
    key = (database_key(), fn.__name__, args, tuple(sorted(kwargs.items())), state.updated_at)
    with _shared_lock:
        if key in _shared:
            _shared.move_to_end(key)
            return _fresh(_shared[key])  # type: ignore[return-value]
    result = _call(fn, *args, **kwargs)
    with _shared_lock:
        _shared[key] = result
        while len(_shared) > SHARED_READS_KEPT:
            _shared.popitem(last=False)
    return _fresh(result)  # type: ignore[return-value]


def _fresh(result: object) -> object:
    """A list or dict of its own for the caller (the records in it are frozen and shared)."""
    if isinstance(result, list):
        return list(result)
    if isinstance(result, dict):
        return dict(result)
    return result


def _open() -> Session:
    """Every session the pages use: it acts as whoever is asking (`actor`), so the store checks their role and
    records their identity with each change."""
    return acting(db.sessions(engine())(), actor())


def session() -> Session:
    forget_reads()  # whatever is done with it, the rest of the run reads the study afresh
    return _open()


def actor() -> Actor:
    """Who is asking in this browser session: a share link's holder (set by share.py through `set_actor`), else
    the signed-in person, or without sign-in the local person (workbench.app.signin). Every store session the
    pages open acts as them."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return LOCAL
    found = st.session_state.get(keys.ACTOR)
    return found if isinstance(found, Actor) else signin.actor()


def only_views() -> bool:
    """Whether the person may only look at the open study (a viewer there): then the app offers its dashboard
    and the studies list, not the pages for changing it. The store refuses their changes anyway; this is so
    that they are not offered. False without sign-in, for administrators, and when no study is open."""
    who = actor()
    if who.kind != "person" or who.admin:
        return False
    try:
        found = current()
        return found is not None and call(members.my_role, found.id) == Role.VIEWER
    except (studies.StoreError, AccessDenied, SQLAlchemyError):
        return False  # the page says what is wrong


def set_actor(who: Actor) -> None:
    st.session_state[keys.ACTOR] = who


def author() -> str:
    """The name saved with a change: the signed-in identity, else the name typed in the sidebar."""
    return signin.author()


def _from_url() -> int | None:
    raw = st.query_params.get("study")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def current(*, fallback: bool = True) -> studies.Study | None:
    """The study in the URL, else the one this session last used, else (with `fallback`) the first listed. A
    share link's holder has one study, whatever the URL says."""
    holder = actor()
    if holder.kind == "link":
        wanted, fallback = holder.link_study, False
    else:
        wanted = _from_url() or st.session_state.get(keys.STUDY)
    found = None
    if wanted is not None:
        try:
            found = _study_state(int(wanted))
        except (studies.NotFoundError, AccessDenied):  # deleted, or not one of this person's studies
            found = None
    if found is None and not fallback:
        return None
    if found is None:
        listed = call(studies.list_studies)
        found = listed[0] if listed else None
    if found is not None:
        use(found.id)
    return found


def use(study_id: int) -> None:
    st.session_state[keys.STUDY] = study_id
    if actor().kind != "link" and st.query_params.get("study") != str(study_id):  # a link's address stays as sent
        st.query_params["study"] = str(study_id)


def require() -> studies.Study:
    """The current study, or a message and a stop when there is none (every study deleted)."""
    found = current()
    if found is None:
        st.info("There is no study yet: create one on the Studies page.", icon=":material/info:")
        st.stop()
    assert found is not None
    return found


def sidebar() -> None:
    """Which study, and who is working (their name or identity goes with every saved change)."""
    listed = call(studies.list_studies)
    found = current()
    with st.sidebar:
        if listed and found is not None:
            ids = [s.id for s in listed]
            if found.id not in ids:  # an archived study opened by link
                listed = [found, *listed]
                ids = [found.id, *ids]
            names = {s.id: s.name for s in listed}
            pick = st.selectbox("Study", ids, index=ids.index(found.id), format_func=names.__getitem__,
                                key=f"sidebar_study_{found.id}")
            if pick != found.id:
                use(pick)
                st.rerun()
        signin.sidebar(ADOPTED.get(database_key()))  # who is working: the signed-in person, or the typed name (never from the address)
