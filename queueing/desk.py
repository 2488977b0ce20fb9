"""The ACD's settings and collaborators, built once per app, so services need no Flask."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy.orm import Session

from core.features import registry
from core.redis_conn import get_redis
from queueing.acd import Acd, Offer
from telephony.twilio_port import TwilioPort, get_port


@dataclass(frozen=True)
class AcdConfig:
    """Routing policy, read from the app's settings (see core/config.py)."""

    priority_enhanced: int = 3
    priority_authenticated: int = 2
    priority_default: int = 1
    ageing_ms: int = 120_000
    relax_ms: int = 90_000
    ring_seconds: int = 20
    hold_ms: int = 30_000
    wrap_ms: int = 60_000
    max_missed: int = 3
    announce_ms: int = 60_000
    hold_pause_seconds: int = 15
    estimate_bias: float = 1.25
    default_handle_seconds: int = 300
    callback_offer_seconds: int = 120
    offence_skills: tuple[tuple[str, str], ...] = ()
    timezone: str = "Europe/London"

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> AcdConfig:
        """Build from Flask config values."""
        pairs = tuple(
            (k.strip().lower(), v.strip())
            for k, _, v in (p.partition("=") for p in config["ACD_OFFENCE_SKILLS"])
            if k.strip() and v.strip()
        )
        return cls(
            priority_enhanced=config["ACD_PRIORITY_ENHANCED"],
            priority_authenticated=config["ACD_PRIORITY_AUTHENTICATED"],
            priority_default=config["ACD_PRIORITY_DEFAULT"],
            ageing_ms=int(config["ACD_AGEING_SECONDS"] * 1000),
            relax_ms=int(config["ACD_SKILL_RELAX_SECONDS"] * 1000),
            ring_seconds=config["ACD_RING_SECONDS"],
            hold_ms=int(config["ACD_RESERVATION_SECONDS"] * 1000),
            wrap_ms=int(config["ACD_WRAP_UP_SECONDS"] * 1000),
            max_missed=config["ACD_MISSED_OFFERS_PAUSE"],
            announce_ms=int(config["ACD_ANNOUNCE_SECONDS"] * 1000),
            hold_pause_seconds=config["ACD_HOLD_PAUSE_SECONDS"],
            estimate_bias=config["ACD_ESTIMATE_BIAS"],
            default_handle_seconds=config["ACD_DEFAULT_HANDLE_SECONDS"],
            callback_offer_seconds=config["CALLBACK_OFFER_WAIT_SECONDS"],
            offence_skills=pairs,
            timezone=config["TIMEZONE"],
        )


# Offers an entry to the agent dispatch chose; False when the entry's owner is gone.
OfferHandler = Callable[[Session, "Desk", Offer], bool]


@dataclass(frozen=True)
class Desk:
    """What ACD services work with: live state, policy, URLs, Twilio and the offer handlers."""

    acd: Acd
    config: AcdConfig
    base_url: str
    port: Callable[[], TwilioPort]
    # Entry kind -> handler, as the app's features registered them (core/features.py).
    offers: Mapping[str, OfferHandler]

    def url(self, path: str, **query: str | int) -> str:
        """Return the absolute URL Twilio should request for `path`."""
        tail = f"?{urlencode(query)}" if query else ""
        return self.base_url.rstrip("/") + path + tail


def desk_for(app: Flask) -> Desk:
    """Return the app's Desk (the Acd registers its scripts once per app)."""
    acd = app.extensions.get("helpline.acd")
    if acd is None:
        acd = app.extensions["helpline.acd"] = Acd(get_redis(app))
    return Desk(
        acd=acd,
        config=AcdConfig.from_settings(app.config),
        base_url=app.config["PUBLIC_BASE_URL"],
        port=lambda: get_port(app),
        offers=registry(app).offer_handlers,
    )
