"""route() offers each entry through the handler its feature registered on the app."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from flask import Flask

from core.clock import now
from core.features import add_offer_handler, registry
from queueing.desk import desk_for
from queueing.routing import class_for
from queueing.service import ms, route
from tests.acd_helpers import add_agent, make_available, open_desk


def _queue_callback_entry(app: Flask, entry: str) -> None:
    desk = desk_for(app)
    at = ms(now())
    desk.acd.enqueue(entry, 1, at, class_for("en-GB", ""), at, desk.config.ageing_ms)


def test_route_uses_the_apps_registered_handler(app: Flask) -> None:
    """The `cb` handler registered by callbacks.init_app gets the offer for a `cb:` entry."""
    open_desk(app)
    agent = add_agent(app, "alice")
    make_available(app, agent)
    _queue_callback_entry(app, "cb:41")
    seen: list[str] = []
    desk = desk_for(app)
    offers = dict(desk.offers, cb=lambda _s, _d, offer: seen.append(offer.entry) or True)
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        made = route(session, dataclasses.replace(desk, offers=offers))
    assert seen == ["cb:41"]
    assert [offer.entry for offer in made] == ["cb:41"]


def test_an_entry_without_a_handler_is_logged_as_an_error(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """With no `cb` handler registered, the entry is abandoned and an error says why."""
    open_desk(app)
    make_available(app, add_agent(app, "bob"))
    _queue_callback_entry(app, "cb:42")
    desk = desk_for(app)
    without_cb = {kind: h for kind, h in desk.offers.items() if kind != "cb"}
    sessions = app.extensions["helpline.sessionmaker"]
    with caplog.at_level(logging.ERROR, logger="helpline.queueing"), sessions() as session:
        made = route(session, dataclasses.replace(desk, offers=without_cb))
    assert made == []
    assert "no offer handler for cb:42" in caplog.text
    assert "cb:42" not in desk.acd.live_entries()


def test_a_kind_gets_one_handler(app: Flask) -> None:
    """Registering a second handler for a kind is refused, not silently replaced."""
    assert registry(app).offer_handlers["cb"].__name__ == "offer_entry"
    with pytest.raises(ValueError, match="already has an offer handler"):
        add_offer_handler(app, "cb", lambda *_: True)
