"""Bearer tokens for the JSON API; only their SHA-256 is stored."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import ApiToken
from api.errors import api_error
from core.clock import now
from core.db import get_session


def digest(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, name: str, role: str, agent_id: int | None = None) -> str:
    """Create a token for a role (and agent); return the secret once, store only its hash."""
    token = "hl_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name, token_sha256=digest(token), role=role, agent_id=agent_id, created_at=now()
        )
    )
    return token


def find_token(session: Session, presented: str) -> ApiToken | None:
    """Return the live token matching what the client presented."""
    return session.scalar(
        select(ApiToken).where(
            ApiToken.token_sha256 == digest(presented), ApiToken.revoked_at.is_(None)
        )
    )


def require_token(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the view only for a bearer token with one of `roles` (admin always passes)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return _unauthorised("a bearer token is required")
            token = find_token(get_session(), header.removeprefix("Bearer ").strip())
            if token is None:
                return _unauthorised("the token is unknown or revoked")
            if token.role not in (*roles, "admin"):
                return api_error(403, f"this needs one of the roles: {', '.join(roles)}")
            g.api_token = token
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _unauthorised(reason: str) -> Response:
    response = api_error(401, reason)
    response.headers["WWW-Authenticate"] = 'Bearer realm="helpline"'
    return response
