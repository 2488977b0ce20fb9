"""The factory and configuration."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

import app as app_module
from app import create_app
from core import config as settings
from core.paths import ROOT


def test_importing_app_builds_nothing() -> None:
    """gunicorn runs app:create_app(); importing the module creates no app object."""
    assert not any(type(value).__name__ == "Flask" for value in vars(app_module).values())


def test_production_names_every_missing_setting() -> None:
    """Outside dev mode a missing required setting stops start-up, naming it."""
    with pytest.raises(settings.ConfigError) as error:
        create_app(
            {
                "HELPLINE_ENV": "production",
                "DATABASE_URL": "sqlite://",
                "TWILIO_AUTH_TOKEN": None,
                "REDIS_URL": None,
                "PUBLIC_BASE_URL": None,
            }
        )
    message = str(error.value)
    for name in ("REDIS_URL", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"):
        assert name in message
    assert "DATABASE_URL" not in message


def test_unknown_environment_is_refused() -> None:
    """A typo in HELPLINE_ENV fails loudly instead of silently running in production."""
    with pytest.raises(settings.ConfigError, match="HELPLINE_ENV"):
        create_app({"HELPLINE_ENV": "prod"})


def test_malformed_number_setting_is_refused() -> None:
    """A non-numeric PORT is reported by name."""
    with pytest.raises(settings.ConfigError, match="PORT"):
        settings.load({"PORT": "eighty"})


def test_environment_is_read_and_lists_are_split() -> None:
    """Settings come from the environment; comma lists become tuples."""
    loaded = settings.load({"PORT": "8080", "CRIME_REFERENCE_PATTERNS": r"^\d{7}/\d{2}$, ^X\d+$"})
    assert loaded["PORT"] == 8080
    assert loaded["CRIME_REFERENCE_PATTERNS"] == (r"^\d{7}/\d{2}$", r"^X\d+$")


def test_test_app_uses_given_stores(config: dict[str, Any]) -> None:
    """Explicit config overrides the environment and the app connects to real Redis."""
    application = create_app(config)
    assert application.config["DATABASE_URL"] == config["DATABASE_URL"]
    assert application.extensions["helpline.redis"].ping() is True
    application.extensions["helpline.engine"].dispose()


def test_dev_mode_fills_local_defaults(redis_url: str) -> None:
    """In development the app runs with no settings but a Redis URL: SQLite, dev secrets."""
    application = create_app(
        {
            "HELPLINE_ENV": "development",
            "REDIS_URL": redis_url,
            "DATABASE_URL": None,
            "PUBLIC_BASE_URL": None,
            "PORT": 5111,
        }
    )
    assert application.config["DATABASE_URL"].startswith("sqlite:///")
    assert application.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5111"
    assert application.config["SECRET_KEY"]


def test_settings_document_is_current() -> None:
    """docs/SETTINGS.md holds the generated table of every setting (regenerate if this fails)."""
    document = (ROOT / "docs" / "SETTINGS.md").read_text(encoding="utf-8")
    assert settings.markdown_table() in document
    for setting in settings.SETTINGS:
        assert f"| `{setting.name}` |" in document


def _production(secret: str) -> dict[str, Any]:
    return {
        "HELPLINE_ENV": "production",
        "DATABASE_URL": "sqlite://",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "token",
        "PUBLIC_BASE_URL": "https://helpline.example.org",
        "HELPLINE_NUMBER": "+442071838750",
        "SECRET_KEY": secret,
    }


@pytest.mark.parametrize(
    "secret",
    [
        "x",
        "change-me-to-64-random-hex-characters",
        "short-but-random-Q8f3k",
        "a" * 64,
        "abababababababababababababababab",
        "0123456789012345678901234567890123456789",
    ],
)
def test_production_refuses_a_weak_secret_key(secret: str) -> None:
    """The .env.example placeholder, short keys and low-entropy keys stop start-up by name."""
    with pytest.raises(settings.ConfigError, match="SECRET_KEY"):
        settings.check_required(_production(secret))


def test_production_accepts_a_random_secret_key() -> None:
    """A key from `secrets.token_hex(32)` passes."""
    settings.check_required(_production(secrets.token_hex(32)))
