"""Helpline's application factory: `gunicorn 'app:create_app()'`."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

import api
import callbacks
import calls
import cases
import consoles
import ivr
import queueing
import roster
from core import config as settings
from core import db, redis_conn
from core.features import Feature
from core.paths import default_database_url, instance_dir

# Every feature, in registration order: each package's `init_app(app)` plugs it in (see
# core/features.py). A new feature is one import and one entry here.
FEATURES: tuple[Feature, ...] = (api, ivr, calls, cases, consoles, queueing, roster, callbacks)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, then `config` overrides; fail fast on bad config."""
    app = Flask(__name__, instance_path=str(instance_dir()))
    app.config.from_mapping(settings.load(overrides=config))
    settings.check_required(app.config)
    _apply_dev_defaults(app)
    app.config["INSTANCE_PATH"] = app.instance_path
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    db.init_app(app)
    redis_conn.init_app(app)
    _init_features(app)
    return app


def _apply_dev_defaults(app: Flask) -> None:
    """Fill in local defaults that are only acceptable in development and tests."""
    if not settings.is_dev(app.config):
        return
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or default_database_url()
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or _dev_secret(app.instance_path)
    app.config["TWILIO_ACCOUNT_SID"] = app.config["TWILIO_ACCOUNT_SID"] or "AC" + "0" * 32
    app.config["TWILIO_AUTH_TOKEN"] = app.config["TWILIO_AUTH_TOKEN"] or "dev-auth-token"
    app.config["HELPLINE_NUMBER"] = app.config["HELPLINE_NUMBER"] or "+442071838750"
    port = app.config["PORT"]
    app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"] or f"http://127.0.0.1:{port}"


def _dev_secret(instance_path: str) -> str:
    """Return a per-checkout secret kept in instance/, so every local process shares it."""
    path = Path(instance_path) / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _init_features(app: Flask) -> None:
    """Let each feature register its blueprints, jobs, offer handlers and API description."""
    for feature in FEATURES:
        feature.init_app(app)
