"""The wallboard's figures: queue now, callbacks, agents and today's measures."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from sqlalchemy.orm import Session

from callbacks.models import CallbackRequest
from calls.models import Call
from consoles.filters import percent
from consoles.wallboard import snapshot
from core.clock import now
from roster.models import Agent
from tests.consoles.conftest import Console
from tests.consoles.html import fields, texts_by_id


def _call(sid: str, queued_ago: float, **columns: object) -> Call:
    at = now() - dt.timedelta(seconds=queued_ago)
    return Call(call_sid=sid, started_at=at, queued_at=at, **columns)


def _callback(
    n: int, due_in: float, state: str = "pending", finished: bool = False
) -> CallbackRequest:
    at = now()
    return CallbackRequest(
        victim_key=f"v{n}",
        phone_e164="+447700900123",
        priority=0,
        virtual_start_at=at,
        requested_at=at,
        not_before=at + dt.timedelta(seconds=due_in),
        expires_at=at + dt.timedelta(days=7),
        state=state,
        finished_at=at if finished else None,
    )


LIVE = {
    "waiting": [
        {"entry": "call:1", "position": 1, "priority": 3, "waited_seconds": 95.4, "class": "any"},
        {"entry": "call:2", "position": 2, "priority": 1, "waited_seconds": 30.0, "class": "any"},
    ],
    "agents": [
        {"agent_id": 1, "state": "available", "seconds_in_state": 12.0, "on_shift": True},
        {"agent_id": 2, "state": "busy", "seconds_in_state": 200.0, "on_shift": False},
        {"agent_id": 3, "state": "logged_out", "seconds_in_state": 9.0, "on_shift": False},
    ],
}


def _seed(db: Session) -> None:
    db.add_all(
        [
            Agent(id=1, name="Alice"),
            Agent(id=2, name="Bob"),
            Agent(id=3, name="Carol"),
            _call("CA3", 600, answered_at=now(), wait_seconds=40, outcome="answered"),
            _call("CA4", 600, answered_at=now(), wait_seconds=90, outcome="answered"),
            _call("CA5", 600, abandoned_at=now(), wait_seconds=5, outcome="abandoned"),
            _call("CA6", 600, abandoned_at=now(), wait_seconds=50, outcome="abandoned"),
            Call(call_sid="CA7", started_at=now(), outcome="self_served"),
            _callback(1, -60),
            _callback(2, 3600),
            _callback(3, -60, state="completed", finished=True),
            _callback(4, -60, state="expired", finished=True),
        ]
    )
    db.commit()


def test_snapshot_figures(app: Flask) -> None:
    """Queue and agents from the ACD; callbacks due and today's rates per DOMAIN.md."""
    with app.extensions["helpline.sessionmaker"]() as db:
        _seed(db)
        data = snapshot(db, now(), app.config, LIVE)
    assert data["queue"]["waiting"] == 2 and data["queue"]["longest_wait_seconds"] == 95
    assert [e["priority"] for e in data["queue"]["entries"]] == [3, 1]
    assert data["agents"]["by_state"] == {
        "busy": [{"name": "Bob", "seconds_in_state": 200, "on_shift": False}],
        "available": [{"name": "Alice", "seconds_in_state": 12, "on_shift": True}],
    }
    assert data["callbacks"] == {"pending": 2, "due": 1}
    today = data["today"]
    assert (today["offered"], today["answered"], today["abandoned"]) == (4, 2, 2)
    assert today["short_abandons"] == 1
    assert today["answer_rate"] == 2 / 4
    assert today["asa_seconds"] == 65
    assert today["service_level"] == 0.5  # 40 s within 60 s, 90 s not
    assert today["service_level_2"] == 1 / 3  # the 5 s abandon is short, the 50 s one counts
    assert today["average_wait_seconds"] == (40 + 90 + 5 + 50) / 4
    assert today["longest_wait_seconds"] == 90 and today["longest_abandon_wait_seconds"] == 50
    assert today["self_served"] == 1  # never queued, so not offered
    assert today["callbacks"] == {"requested": 4, "completed": 1, "failed": 0, "expired": 1}


def test_empty_desk_has_no_rates(app: Flask) -> None:
    """With no calls there is nothing to divide: rates are None, not zero."""
    with app.extensions["helpline.sessionmaker"]() as db:
        today = snapshot(db, now(), app.config, {"waiting": [], "agents": []})["today"]
    assert today["answer_rate"] is None and today["service_level"] is None
    assert today["service_level_2"] is None and today["average_wait_seconds"] is None
    assert today["longest_wait_seconds"] is None
    assert today["longest_abandon_wait_seconds"] is None


def test_empty_desk_page_shows_dashes(app: Flask, supervisor: Console) -> None:
    """With no calls the waits and rates show a dash, the counts zero."""
    shown = fields(supervisor.get("/console/wallboard").text)
    waits_and_rates = ("answer_rate", "service_level", "service_level_2", "asa", "average_wait")
    for name in (*waits_and_rates, "longest_answered_wait", "longest_abandon_wait"):
        assert shown[name] == "\u2013", name
    assert (shown["offered"], shown["abandoned"], shown["short_abandons"]) == ("0", "0", "0")


def test_page_explains_each_measure(app: Flask, supervisor: Console) -> None:
    """The page defines every figure of today's, in DOMAIN.md's terms, with the target T."""
    app.config["SERVICE_LEVEL_SECONDS"] = 30
    terms = texts_by_id(supervisor.get("/console/wallboard").text)
    assert terms["today-heading"] == "Today's measures"
    assert terms["term-service_level"] == "Service level = answered within 30 s / answered."
    assert terms["term-service_level_2"] == (
        "SL2 also counts abandons: answered within 30 s / "
        "(answered + abandoned that were not short)."
    )
    assert terms["term-short_abandons"].startswith("Abandons under 10 s")
    for name in ("answer_rate", "asa", "average_wait", "longest_answered_wait", "self_served"):
        assert terms[f"term-{name}"], name
    assert terms["term-longest_abandon_wait"] == "The longest a caller waited before hanging up."


def test_updated_time_is_desk_local(app: Flask) -> None:
    """The board's time is the desk's (Europe/London), with GMT or BST, not UTC."""
    summer = dt.datetime(2026, 7, 1, 11, 2, 3, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 12, 1, 11, 2, 3, tzinfo=dt.UTC)
    with app.extensions["helpline.sessionmaker"]() as db:
        local = [
            snapshot(db, at, app.config, {"waiting": [], "agents": []}) for at in (summer, winter)
        ]
    assert [d["generated_local"] for d in local] == ["12:02:03 BST", "11:02:03 GMT"]
    assert local[0]["generated_at"] == summer.isoformat()


def test_wallboard_json_and_page(app: Flask, supervisor: Console) -> None:
    """The JSON the page polls matches the snapshot; the page loads its script from a file."""
    with app.extensions["helpline.sessionmaker"]() as db:
        _seed(db)
    data = supervisor.get("/console/wallboard.json").get_json()
    assert data["callbacks"]["pending"] == 2 and data["today"]["offered"] == 4
    page = supervisor.get("/console/wallboard")
    assert page.status_code == 200 and "wallboard.js" in page.text
    shown = fields(page.text)
    assert (shown["offered"], shown["abandoned"], shown["short_abandons"]) == ("4", "2", "1")
    assert (shown["answer_rate"], shown["asa"], shown["service_level"]) == ("50%", "1:05", "50%")
    assert (shown["self_served"], shown["callbacks_requested"]) == ("1", "4")
    assert (shown["service_level_2"], shown["average_wait"]) == ("33%", "0:46")
    assert (shown["longest_answered_wait"], shown["longest_abandon_wait"]) == ("1:30", "0:50")
    assert re.fullmatch(r"\d\d:\d\d:\d\d (GMT|BST)", shown["generated_at"])
    assert (shown["callbacks_completed"], shown["callbacks_expired"]) == ("1", "1")
    with supervisor.get("/console/static/wallboard.js") as script:
        assert script.status_code == 200 and script.mimetype == "text/javascript"


def test_percent_rounds_halves_up_like_the_script() -> None:
    """5 of 8 shows 63% on the server-rendered page, as wallboard.js shows it after a poll."""
    assert (percent(5 / 8), percent(1 / 8), percent(2 / 3), percent(None)) == (
        "63%",
        "13%",
        "67%",
        "\u2013",
    )
