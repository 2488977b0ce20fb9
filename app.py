"""Helpline's application factory: `gunicorn 'app:create_app()'`."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from core import config as settings
from core import db, redis_conn
from core.paths import default_database_url, instance_dir


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, then `config` overrides; fail fast on bad config."""
    app = Flask(__name__, instance_path=str(instance_dir()))
    app.config.from_mapping(settings.load(overrides=config))
    settings.check_required(app.config)
    _apply_dev_defaults(app)
    app.config["INSTANCE_PATH"] = app.instance_path
    db.init_app(app)
    redis_conn.init_app(app)
    _register_blueprints(app)
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


def _register_blueprints(app: Flask) -> None:
    # Imported here so that importing app.py builds nothing (the factory owns set-up).
    import api.views
    import callbacks
    import consoles
    import ops
    from callbacks.api import bp as callbacks_api_bp
    from callbacks.views import bp as callbacks_bp
    from calls.views import bp as calls_bp
    from cases.api import bp as cases_api_bp
    from ivr.views import bp as ivr_bp
    from queueing.api import bp as queueing_api_bp
    from queueing.views import bp as queueing_bp
    from roster.api import bp as roster_api_bp

    api.views.init_app(app)
    app.register_blueprint(ivr_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(cases_api_bp)
    consoles.init_app(app)
    app.register_blueprint(queueing_bp)
    app.register_blueprint(queueing_api_bp)
    app.register_blueprint(roster_api_bp)
    app.register_blueprint(callbacks_bp)
    app.register_blueprint(callbacks_api_bp)
    callbacks.init_app(app)
    ops.init_app(app)
