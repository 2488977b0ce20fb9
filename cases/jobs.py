"""Background jobs about cases."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from cases import overdue
from core.clock import now
from core.db import session_factory
from core.jobs import job_app

log = logging.getLogger("helpline.cases")


def flag_overdue() -> int:
    """Flag every case whose Victims' Code update is overdue (periodic; hourly)."""
    app = job_app()
    today = now().astimezone(ZoneInfo(app.config["TIMEZONE"])).date()
    with app.app_context(), session_factory(app)() as session:
        count = overdue.sweep(session, today)
        session.commit()
    log.info("overdue sweep: %d cases overdue", count)
    return count
