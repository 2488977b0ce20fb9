"""Console fixtures: users of each role and a logged-in test client."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from consoles.auth import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """Console tests run over plain HTTP on loopback, so the cookie cannot be Secure-only."""
    return {**config, "SESSION_COOKIE_SECURE": False, "WALLBOARD_POLL_SECONDS": 0.3}


@pytest.fixture
def users(app: Flask) -> dict[str, int]:
    """One console user per role, all with PASSWORD; returns username -> id."""
    with app.extensions["helpline.sessionmaker"]() as session:
        made = {
            name: create_user(session, name, PASSWORD, role).id
            for name, role in (("sue", "supervisor"), ("alan", "agent"), ("ada", "admin"))
        }
        session.commit()
    return made


class Console:
    """A test client that logs in and posts forms with the session's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self) -> str:
        with self.client.session_transaction() as session:
            return str(session.get("csrf_token", ""))

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        self.client.get("/console/login")
        return self.post("/console/login", {"username": username, "password": password})

    def post(self, path: str, data: dict[str, str]) -> TestResponse:
        return self.client.post(path, data={"csrf_token": self.token(), **data})

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)


@pytest.fixture
def console(client: FlaskClient, users: dict[str, int]) -> Console:
    """A console client (not yet logged in), with the role users created."""
    return Console(client)


@pytest.fixture
def supervisor(console: Console) -> Console:
    """A console client logged in as the supervisor."""
    assert console.login("sue").status_code == 302
    return console
