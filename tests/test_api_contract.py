"""Schemathesis against the live API: no 5xx and no answer outside the documented schema.

Each operation gets a bounded number of generated requests (valid and invalid) with a
supervisor token, and the operations other roles own get the same with their role's token,
so their success paths are exercised too. About a minute in all.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from api.auth import issue_token
from callbacks.service import Policy, request_callback
from calls.models import Call
from core.clock import now
from devtools.demo import seed
from roster.models import Agent
from tests.live import LiveServer

pytestmark = pytest.mark.slow
EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations another role owns, also run with that role's token (plus the supervisor's).
OWNERS = {"/api/cases/{crime_reference}": "integration", "/api/agents/me": "agent"}


def _tokens(app: Flask) -> dict[str, str]:
    """Demo data, a pending callback, and a token per role (the agent's bound to an agent)."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        call = Call(call_sid="CA" + "7" * 32, from_e164="+447700900123", started_at=now())
        session.add(call)
        session.flush()
        request_callback(session, call, "+447700900123", True, now(), Policy())
        agent_id = session.scalars(select(Agent.id).order_by(Agent.id)).first()
        tokens = {
            role: issue_token(
                session, f"contract-{role}", role, agent_id if role == "agent" else None
            )
            for role in ("supervisor", "integration", "agent")
        }
        session.commit()
    return tokens


def _owner(path: str) -> str | None:
    return next((role for prefix, role in OWNERS.items() if path.startswith(prefix)), None)


def _fuzz(operation: Any, token: str, base_url: str, failures: list[str]) -> None:
    """Run bounded examples of one operation, noting the first failure instead of stopping."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; all reported
        failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])


def test_the_api_keeps_its_documented_contract(app: Flask, live: LiveServer) -> None:
    """No generated request gets a 5xx or an answer the OpenAPI document does not allow."""
    tokens = _tokens(app)
    schema = schemathesis.openapi.from_url(f"{live.url}/api/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        _fuzz(operation, tokens["supervisor"], live.url, failures)
        owner = _owner(operation.path)
        if owner:
            _fuzz(operation, tokens[owner], live.url, failures)
    assert failures == [], "\n\n".join(failures)
