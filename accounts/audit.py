"""The audit trail: who changed what, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import AuditRecord
from core.clock import now


def audit(
    session: Session, actor: str, action: str, entity: str, entity_id: object, **detail: Any
) -> AuditRecord:
    """Append an audit record (the caller's transaction commits it with the change)."""
    record = AuditRecord(
        at=now(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=_jsonable(detail),
    )
    session.add(record)
    return record


def recent(session: Session, limit: int = 200) -> list[AuditRecord]:
    """Return the newest audit records first."""
    query = select(AuditRecord).order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    return list(session.scalars(query.limit(limit)))


def _jsonable(value: Any) -> Any:
    """Turn dates, times and sets into strings and lists so the JSON column can hold them."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    return value
