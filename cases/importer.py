"""Import cases from CSV: validate every row first, then upsert all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cases.models import STATUS_CODES, Case, Victim
from cases.references import is_accepted, normalise
from core.clock import now
from telephony.numbers import to_e164

HEADER = (
    "crime_reference",
    "victim_name",
    "victim_phone",
    "victim_dob",
    "status_code",
    "status_detail",
    "officer",
    "last_update",
    "next_update_due",
    "enhanced_rights",
    "language",
    "offence",
)
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
BATCH = 2000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    """Why one cell of one line was refused."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.reason}"


@dataclass
class ImportResult:
    """What an import did, or the errors that stopped it."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Say whether the import was accepted."""
        return not self.errors


def import_csv(
    session: Session, stream: IO[str], patterns: Iterable[str], progress: Progress | None = None
) -> ImportResult:
    """Validate the whole file; if every row is good, upsert by crime reference."""
    reader = csv.DictReader(stream)
    try:
        header_errors = check_header(reader.fieldnames)
        if header_errors:
            return ImportResult(errors=header_errors)
        rows, errors = parse_rows(reader, tuple(patterns))
    except UnicodeDecodeError:
        return ImportResult(errors=[RowError(reader.line_num + 1, "file", _NOT_UTF8)])
    if errors:
        return ImportResult(errors=errors)
    return upsert(session, rows, progress)


# Decoding runs ahead of the CSV reader, so the bad byte is at or after the line named.
_NOT_UTF8 = "is not UTF-8 text at or after this line; save it as CSV UTF-8 and import again"


def check_header(fieldnames: Iterable[str] | None) -> list[RowError]:
    """Demand exactly the documented header, in order."""
    found = tuple(name.strip() for name in fieldnames or ())
    if found == HEADER:
        return []
    return [RowError(1, "header", "expected exactly: " + ",".join(HEADER))]


def parse_rows(
    reader: csv.DictReader[str], patterns: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Turn each CSV line into clean values, collecting every error (line, column, reason)."""
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for raw in _records(reader, errors):
        line = reader.line_num
        row, row_errors = parse_row(raw, line, patterns)
        key = row.get("reference_key")
        if key and key in first_line:
            row_errors.append(
                RowError(line, "crime_reference", f"duplicate of line {first_line[key]}")
            )
        elif key:
            first_line[key] = line
        errors.extend(row_errors)
        rows.append(row)
    return rows, errors


def _records(
    reader: csv.DictReader[str], errors: list[RowError]
) -> Iterator[dict[str | None, Any]]:
    """Yield the reader's rows; a line csv cannot read (e.g. a field over 128 KiB) ends it."""
    try:
        yield from reader
    except csv.Error as exc:
        # The reader's position is lost after an error, so nothing after it can be trusted.
        reason = f"cannot be read ({exc}); nothing after it was checked"
        errors.append(RowError(reader.line_num + 1, "row", reason))


def parse_row(
    raw: dict[str | None, Any], line: int, patterns: tuple[str, ...]
) -> tuple[dict[str, Any], list[RowError]]:
    """Validate one line; return its clean values and any errors."""
    errors: list[RowError] = []
    if None in raw or any(value is None for value in raw.values()):
        return {}, [RowError(line, "row", f"expected {len(HEADER)} columns")]
    cell = {name: (raw.get(name) or "").strip() for name in HEADER}

    def check(column: str, parse: Callable[[str], Any]) -> Any:
        try:
            if "\x00" in cell[column]:
                raise ValueError("contains a NUL character")
            return parse(cell[column])
        except ValueError as exc:
            errors.append(RowError(line, column, str(exc)))
            return None

    row = {
        "crime_reference": check("crime_reference", _shown_reference),
        "reference_key": check("crime_reference", _reference(patterns)),
        "victim_name": check("victim_name", _text(200, required=True)),
        "victim_phone": check("victim_phone", _phone),
        "victim_dob": check("victim_dob", _past_date),
        "status_code": check("status_code", _status),
        "status_detail": check("status_detail", _text(2000)),
        "officer": check("officer", _text(200)),
        "last_update": check("last_update", _past_date),
        "next_update_due": check("next_update_due", _optional_date),
        "enhanced_rights": check("enhanced_rights", _boolean),
        "language": check("language", _language),
        "offence": check("offence", _text(200)),
    }
    # The reference is reported once, by the format check, not twice.
    errors = list({(e.line, e.column): e for e in errors}.values())
    return row, errors


def _text(limit: int, required: bool = False) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if required and not value:
            raise ValueError("is required")
        if len(value) > limit:
            raise ValueError(f"is longer than {limit} characters")
        return value

    return parse


# Errors name the line and column but never repeat the value: it may be a victim's phone
# number or date of birth, and errors end up in terminals, logs and API clients.


def _shown_reference(value: str) -> str:
    """Keep the reference as written, but in NFKC form (full-width digits become ASCII)."""
    return _text(40)(unicodedata.normalize("NFKC", value))


def _reference(patterns: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        key = normalise(value)
        if not key:
            raise ValueError("is required")
        if not is_accepted(key, patterns):
            raise ValueError("is not in an accepted crime reference format")
        return key

    return parse


def _phone(value: str) -> str | None:
    if not value:
        return None
    e164 = to_e164(value)
    if e164 is None:
        raise ValueError("is not a valid phone number")
    return e164


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not an ISO 8601 date (YYYY-MM-DD)") from None


def _past_date(value: str) -> dt.date:
    if not value:
        raise ValueError("is required")
    parsed = _date(value)
    if parsed > now().date() + dt.timedelta(days=1) or parsed.year < 1900:
        raise ValueError("is not a plausible past date")
    return parsed


def _optional_date(value: str) -> dt.date | None:
    return _date(value) if value else None


def _status(value: str) -> str:
    if value not in STATUS_CODES:
        raise ValueError("is not a known status code: " + ", ".join(STATUS_CODES))
    return value


def _boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered not in {"true", "false"}:
        raise ValueError("is not true or false")
    return lowered == "true"


def _language(value: str) -> str:
    if not value:
        return "en-GB"
    if not _LANGUAGE.match(value):
        raise ValueError("is not a language tag such as en-GB")
    return value


def upsert(
    session: Session, rows: list[dict[str, Any]], progress: Progress | None = None
) -> ImportResult:
    """Insert new cases (with their victims) and update existing ones, in batches."""
    result = ImportResult()
    for batch in _batches(rows, BATCH):
        existing = _existing_cases(session, [row["reference_key"] for row in batch])
        new = [row for row in batch if row["reference_key"] not in existing]
        old = [row for row in batch if row["reference_key"] in existing]
        _insert_new(session, new)
        _update_old(session, old, existing)
        result.created += len(new)
        result.updated += len(old)
        if progress:
            progress(len(batch))
    return result


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _existing_cases(session: Session, keys: list[str]) -> dict[str, tuple[int, int]]:
    found = session.execute(
        select(Case.reference_key, Case.id, Case.victim_id).where(Case.reference_key.in_(keys))
    )
    return {key: (case_id, victim_id) for key, case_id, victim_id in found}


def _victim_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": row["victim_name"],
        "phone_e164": row["victim_phone"],
        "date_of_birth": row["victim_dob"],
        "preferred_language": row["language"],
    }


def _case_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "crime_reference": row["crime_reference"],
        "reference_key": row["reference_key"],
        "status_code": row["status_code"],
        "status_detail": row["status_detail"],
        "officer": row["officer"],
        "last_update": row["last_update"],
        "next_update_due": row["next_update_due"],
        "enhanced_rights": row["enhanced_rights"],
        "language": row["language"],
        "offence": row["offence"],
        "updated_at": now(),
    }


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    victims = [
        _victim_values(row) | {"sms_allowed": False, "safe_to_leave_message": False} for row in rows
    ]
    victim_ids = session.scalars(
        insert(Victim).returning(Victim.id, sort_by_parameter_order=True), victims
    ).all()
    cases = [
        _case_values(row) | {"victim_id": vid} for row, vid in zip(rows, victim_ids, strict=True)
    ]
    session.execute(insert(Case), cases)


def _update_old(
    session: Session, rows: list[dict[str, Any]], existing: dict[str, tuple[int, int]]
) -> None:
    if not rows:
        return
    ids = [existing[row["reference_key"]] for row in rows]
    session.execute(
        update(Victim),
        [
            _victim_values(row) | {"id": victim_id}
            for row, (_, victim_id) in zip(rows, ids, strict=True)
        ],
    )
    session.execute(
        update(Case),
        [_case_values(row) | {"id": case_id} for row, (case_id, _) in zip(rows, ids, strict=True)],
    )
