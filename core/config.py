"""Read Helpline's settings from the environment, with defaults and checks."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def _bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _log_format(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"text", "json"}:
        raise ValueError(f"expected text or json, not {raw!r}")
    return value


@dataclass(frozen=True)
class Setting:
    """One environment setting: its name, default, parser and whether production needs it."""

    name: str
    default: Any
    doc: str
    parse: Callable[[str], Any] = str
    required: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("HELPLINE_ENV", "production", "production, development or test"),
    Setting("PORT", 5000, "port the web process binds", int),
    Setting(
        "DATABASE_URL", None, "SQLAlchemy URL; default a SQLite file under instance/", str, True
    ),
    Setting(
        "REDIS_URL", None, "Redis URL; default (dev/test only) an embedded redis-server", str, True
    ),
    Setting("TWILIO_ACCOUNT_SID", None, "Twilio account SID", str, True),
    Setting(
        "TWILIO_AUTH_TOKEN", None, "Twilio auth token; validates webhook signatures", str, True
    ),
    Setting(
        "TWILIO_API_BASE_URL", None, "send Twilio REST requests here instead of api.twilio.com"
    ),
    Setting(
        "PUBLIC_BASE_URL",
        None,
        "base URL Twilio reaches us at (signatures, absolute URLs)",
        str,
        True,
    ),
    Setting(
        "HELPLINE_NUMBER",
        None,
        "the helpline's E.164 number (callback caller ID, SMS sender)",
        str,
        True,
    ),
    Setting(
        "SECRET_KEY",
        None,
        "signs console sessions and CSRF tokens, keys lockout counters and encrypts cached "
        "webhook answers; production needs 32+ random characters (`secrets.token_hex(32)`)",
        str,
        True,
    ),
    Setting("HELPLINE_NAME", "the Victim Helpline", "name spoken in the greeting"),
    Setting("TIMEZONE", "Europe/London", "the desk's local time zone"),
    Setting(
        "CRIME_REFERENCE_PATTERNS",
        (r"^\d{7}/\d{2}$", r"^\d{2}/\d{5,7}/\d{2}$", r"^\d{10,16}$"),
        "accepted crime reference formats (regular expressions, comma-separated)",
        _list,
    ),
    Setting("AUTH_TRIES_PER_CALL", 3, "authentication tries allowed in one call", int),
    Setting("LOCKOUT_REFERENCE_FAILURES", 5, "failures for one reference that lock it", int),
    Setting("LOCKOUT_REFERENCE_WINDOW", 900, "window (s) for reference failures", int),
    Setting("LOCKOUT_REFERENCE_SECONDS", 1800, "how long (s) a reference stays locked", int),
    Setting("LOCKOUT_NUMBER_FAILURES", 10, "failures from one caller number that lock it", int),
    Setting("LOCKOUT_NUMBER_WINDOW", 3600, "window (s) for caller-number failures", int),
    Setting("LOCKOUT_NUMBER_SECONDS", 3600, "how long (s) a caller number stays locked", int),
    Setting(
        "LOCKOUT_WITHHELD_FAILURES",
        10,
        "failures on one reference from withheld or invalid numbers that lock it for "
        "withheld callers only",
        int,
    ),
    Setting(
        "LOCKOUT_WITHHELD_WINDOW", 86400, "window (s) for a reference's withheld failures", int
    ),
    Setting(
        "LOCKOUT_WITHHELD_SECONDS",
        86400,
        "how long (s) a reference stays locked for withheld callers",
        int,
    ),
    Setting(
        "CALLBACK_OFFER_WAIT_SECONDS",
        120,
        "offer a callback automatically when the estimated wait exceeds this (s)",
        int,
    ),
    Setting("CALLBACK_RETRIES", 2, "retries after an unanswered callback attempt", int),
    Setting("CALLBACK_RETRY_SECONDS", 600, "minimum gap (s) between callback attempts", int),
    Setting("CALLBACK_EXPIRY_SECONDS", 7 * 86400, "a pending callback expires after this (s)", int),
    Setting("CALLBACK_NUMBER_TRIES", 3, "tries to key a callable number before giving up", int),
    Setting("CALLBACK_AGENT_RING_SECONDS", 20, "how long (s) to ring the agent first", int),
    Setting("CALLBACK_VICTIM_RING_SECONDS", 30, "how long (s) to ring the victim", int),
    Setting(
        "CALLBACK_STALE_ATTEMPT_SECONDS",
        900,
        "an attempt with no news for this long (s) is treated as lost and released",
        int,
    ),
    Setting(
        "CALLBACK_RECONCILE_SECONDS", 30, "how often (s) Redis is rebuilt from the database", int
    ),
    Setting(
        "IVR_LANGUAGES",
        ("en-GB", "cy-GB"),
        "languages a caller can pick at the start, default first (each has prompts/<x>.json)",
        _list,
    ),
    Setting(
        "WEBHOOK_IDEMPOTENCY_SECONDS", 86400, "how long a webhook response is kept for retries", int
    ),
    Setting("SESSION_COOKIE_SECURE", True, "send console cookies over HTTPS only", _bool),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port are "
        "trusted (0: none; 1 behind one TLS-terminating proxy or load balancer)",
        int,
    ),
    Setting("HSTS_SECONDS", 31536000, "Strict-Transport-Security max-age on HTTPS answers", int),
    Setting(
        "CONSOLE_LOCKOUT_FAILURES",
        5,
        "failed console logins for one user from one address that pause that address",
        int,
    ),
    Setting(
        "CONSOLE_LOCKOUT_SECONDS",
        900,
        "window (s) for one address's failures, and how long it is paused",
        int,
    ),
    Setting(
        "CONSOLE_USER_LOCKOUT_FAILURES",
        50,
        "failed logins for one user from all addresses that lock the user everywhere",
        int,
    ),
    Setting(
        "CONSOLE_USER_LOCKOUT_SECONDS",
        3600,
        "window (s) for a user's failures from all addresses, and how long the lock lasts",
        int,
    ),
    Setting("CONSOLE_SESSION_HOURS", 12, "how long (h) a console login lasts", int),
    Setting("WALLBOARD_POLL_SECONDS", 2.0, "how often (s) the wallboard refreshes", float),
    Setting("STAFFING_SL_TARGET", 0.8, "service level target for staffing (fraction)", float),
    Setting("STAFFING_SHRINKAGE", 0.3, "share of rostered time off the phones (0-1)", float),
    Setting("STAFFING_WEEKS", 4, "weeks of the same weekday used to forecast demand", int),
    Setting("STAFFING_DEFAULT_AHT", 300, "handle time (s) assumed when there is no history", int),
    Setting("ACD_PRIORITY_ENHANCED", 3, "queue priority of Enhanced Rights victims", int),
    Setting("ACD_PRIORITY_AUTHENTICATED", 2, "queue priority of authenticated callers", int),
    Setting("ACD_PRIORITY_DEFAULT", 1, "queue priority of unauthenticated callers", int),
    Setting("ACD_AGEING_SECONDS", 120, "waiting (s) worth one priority level", int),
    Setting("ACD_SKILL_RELAX_SECONDS", 90, "wait (s) after which any agent may take a call", int),
    Setting("ACD_RING_SECONDS", 20, "how long (s) an offered agent's phone rings", int),
    Setting("ACD_RESERVATION_SECONDS", 30, "how long (s) an offer holds a call and agent", int),
    Setting("ACD_WRAP_UP_SECONDS", 60, "wrap-up time (s) after each call", int),
    Setting("ACD_MISSED_OFFERS_PAUSE", 3, "missed offers in a row that pause an agent", int),
    Setting("ACD_ANNOUNCE_SECONDS", 60, "least time (s) between position announcements", int),
    Setting("ACD_HOLD_PAUSE_SECONDS", 15, "pause (s) in each hold loop, awaiting a key", int),
    Setting("ACD_ESTIMATE_BIAS", 1.25, "multiplier biasing wait estimates upwards", float),
    Setting("ACD_DEFAULT_HANDLE_SECONDS", 300, "handle time (s) assumed before any is seen", int),
    Setting(
        "ACD_OFFENCE_SKILLS",
        (
            "domestic=domestic_abuse",
            "sexual=sexual_offences",
            "rape=sexual_offences",
            "hate=hate_crime",
        ),
        "offence keyword=skill pairs (comma-separated) deriving a call's specialist skill",
        _list,
    ),
    Setting("SERVICE_LEVEL_SECONDS", 60, "answer target (s) for the service level measure", int),
    Setting("TWILIO_API_KEY", None, "API key SID (SK...) signing agents' softphone access tokens"),
    Setting("TWILIO_API_SECRET", None, "the API key's secret"),
    Setting("TWILIO_TWIML_APP_SID", None, "TwiML App SID (AP...) for the agents' softphone grant"),
    Setting(
        "AGENT_SOFTPHONE",
        "auto",
        "agent softphone: twilio, emulator, or auto (emulator in dev/test with an API base URL)",
    ),
    Setting("AGENT_TOKEN_TTL", 3600, "lifetime (s) of a softphone access token", int),
    Setting("AGENT_POLL_SECONDS", 1.0, "how often (s) the agent page refreshes its state", float),
    Setting(
        "LOG_FORMAT",
        "text",
        "log lines as text, or json: one object per line with request id and CallSid",
        _log_format,
    ),
    Setting(
        "METRICS_TOKEN",
        None,
        "bearer token Prometheus sends to read /metrics; unset, /metrics answers 404",
    ),
    Setting(
        "WORKER_HEARTBEAT_SECONDS",
        30,
        "/readyz fails when no `helpline worker` has reported for this long (s)",
        int,
    ),
    Setting(
        "HELPLINE_SIMULATED_CLOCK",
        None,
        "START@RATE@ANCHOR: run on a compressed clock (`helpline simulate` sets it; dev/test only)",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
DEV_ENVS = frozenset({"development", "test"})


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def load(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the config mapping from the environment, then explicit overrides."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        config[setting.name] = setting.default if raw in (None, "") else _parse(setting, raw)
    config.update(overrides or {})
    return config


def _parse(setting: Setting, raw: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{setting.name} is malformed: {exc}") from exc


def is_dev(config: Mapping[str, Any]) -> bool:
    """Say whether local defaults (SQLite, embedded Redis, dev secret) are allowed."""
    return config.get("HELPLINE_ENV") in DEV_ENVS


def check_required(config: Mapping[str, Any]) -> None:
    """Stop start-up outside dev mode when a required setting is missing."""
    if config.get("HELPLINE_ENV") not in DEV_ENVS | {"production"}:
        raise ConfigError("HELPLINE_ENV must be production, development or test")
    if is_dev(config):
        return
    missing = [s.name for s in SETTINGS if s.required and not config.get(s.name)]
    if missing:
        raise ConfigError("missing required setting(s): " + ", ".join(missing))
    check_secret_key(str(config["SECRET_KEY"]))


# The placeholder shipped in .env.example, and the shortest key worth having.
PLACEHOLDER_SECRETS = frozenset({"change-me-to-64-random-hex-characters", "change-me"})
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 12


def check_secret_key(secret: str) -> None:
    """Refuse a SECRET_KEY anyone could guess: the placeholder, a short or repetitive key.

    A guessable key lets anyone forge a console session cookie (and names lockout counters).
    """
    if secret.lower() in PLACEHOLDER_SECRETS or "change-me" in secret.lower():
        raise ConfigError("SECRET_KEY is the .env.example placeholder; set a random one")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} characters")
    if len(set(secret)) < MIN_SECRET_DISTINCT or _repeats(secret):
        raise ConfigError(
            "SECRET_KEY is too predictable: use 64 random hex characters, e.g. from "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )


def _repeats(secret: str) -> bool:
    """Say whether the key is one short pattern repeated (`abab...`, `0123456789` again)."""
    return any(
        secret == (secret[:size] * (len(secret) // size + 1))[: len(secret)]
        for size in range(1, len(secret) // 2 + 1)
    )


def describe() -> list[tuple[str, str]]:
    """List (name, meaning) for every setting, for the README and `helpline settings`."""
    return [(s.name, s.doc) for s in SETTINGS]


def markdown_table() -> str:
    """Render every setting as the Markdown table kept in docs/SETTINGS.md."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = ",".join(s.default) if isinstance(s.default, tuple) else s.default
        shown = "(required)" if s.required else "" if default is None else f"`{default}`"
        cells = (f"`{s.name}`", shown, s.doc)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def setting(name: str) -> Setting:
    """Look up one setting's definition."""
    return _BY_NAME[name]
