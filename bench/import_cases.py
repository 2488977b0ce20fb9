"""Time `import_csv` on generated files of growing size: `python -m bench.import_cases`.

Uses DATABASE_URL if set (e.g. PostgreSQL), else a scratch SQLite file.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time

from sqlalchemy import delete
from sqlalchemy.orm import Session

from cases.importer import HEADER, import_csv
from cases.models import Case, Victim
from core.config import setting
from core.db import make_engine
from core.migrate import upgrade

STATUSES = ("REPORTED", "UNDER_INVESTIGATION", "SUSPECT_ARRESTED", "WITH_CPS", "CHARGED")


def csv_text(rows: int, offset: int = 0) -> str:
    """Return a valid CSV with `rows` distinct cases."""
    lines = [",".join(HEADER)]
    for i in range(offset, offset + rows):
        lines.append(
            f"{i % 10_000_000:07d}/{24 + i // 10_000_000},Victim {i},07700 900{i % 1000:03d},"
            f"1980-01-{1 + i % 28:02d},{STATUSES[i % 5]},Detail for {i},DC Bench,2026-11-01,"
            f"2026-11-20,{'true' if i % 7 == 0 else 'false'},en-GB,Theft"
        )
    return "\n".join(lines) + "\n"


def run(url: str, sizes: tuple[int, ...]) -> None:
    """Print rows, seconds, rows/s and the ratio to the smallest size."""
    upgrade(url)
    engine = make_engine(url)
    patterns = setting("CRIME_REFERENCE_PATTERNS").default
    print(f"{'rows':>8} {'insert s':>9} {'rows/s':>9} {'update s':>9} {'x smallest':>10}")
    base = None
    for size in sizes:
        with Session(engine) as session:
            session.execute(delete(Case))
            session.execute(delete(Victim))
            session.commit()
        text = csv_text(size)
        with Session(engine) as session:
            started = time.perf_counter()
            result = import_csv(session, io.StringIO(text), patterns)
            session.commit()
            inserted = time.perf_counter() - started
        assert result.created == size, result.errors[:3]
        with Session(engine) as session:
            started = time.perf_counter()
            import_csv(session, io.StringIO(text), patterns)
            session.commit()
            updated = time.perf_counter() - started
        base = base or inserted / size
        print(
            f"{size:>8} {inserted:>9.2f} {size / inserted:>9.0f} {updated:>9.2f} "
            f"{inserted / size / base:>10.2f}"
        )
    engine.dispose()


if __name__ == "__main__":
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    counts = tuple(int(n) for n in sys.argv[1:]) or (1_000, 10_000, 100_000)
    run(database, counts)
