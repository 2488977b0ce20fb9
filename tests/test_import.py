"""`helpline import-cases`: all rows valid or nothing imported; re-import updates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from cases.importer import HEADER
from cases.models import Case, Victim
from cli import main

GOOD = [
    "1234567/24,Alex Example,07700 900123,1980-02-01,UNDER_INVESTIGATION,An officer is on it,"
    "DC Smith,2026-11-01,2026-11-20,false,en-GB,Theft",
    "2345678/24,Sam Example,+44 20 7946 0018,1975-12-25,CHARGED,Charged with assault,"
    "DC Jones,2026-10-30,,TRUE,cy-GB,Assault",
]


def full_width(text: str) -> str:
    """Write digits and `/` in their full-width forms, as some keyboards and systems do."""
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789/"})


def write_csv(tmp_path: Path, rows: list[str], header: str = ",".join(HEADER)) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run_import(app: Flask, path: Path) -> Result:
    return CliRunner().invoke(
        main, ["import-cases", str(path)], obj=ScriptInfo(create_app=lambda: app)
    )


def count(app: Flask, model: type) -> int:
    with app.extensions["helpline.sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_good_file_is_imported(app: Flask, tmp_path: Path) -> None:
    """Every row lands, phones in E.164, references normalised, booleans parsed."""
    result = run_import(app, write_csv(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated" in result.output
    with app.extensions["helpline.sessionmaker"]() as session:
        case = session.scalar(select(Case).where(Case.reference_key == "2345678/24"))
        assert case is not None
        assert case.enhanced_rights is True
        assert case.next_update_due is None
        assert case.language == "cy-GB"
        assert case.victim.phone_e164 == "+442079460018"
        assert case.victim.date_of_birth == dt.date(1975, 12, 25)


BAD_ROWS = [
    ("12345/24,A,07700900123,1980-02-01,REPORTED,,,2026-11-01,,false,en-GB,x", "crime_reference"),
    ("1234567/24,,07700900123,1980-02-01,REPORTED,,,2026-11-01,,false,en-GB,x", "victim_name"),
    ("1234567/24,A,12345,1980-02-01,REPORTED,,,2026-11-01,,false,en-GB,x", "victim_phone"),
    ("1234567/24,A,07700900123,01/02/1980,REPORTED,,,2026-11-01,,false,en-GB,x", "victim_dob"),
    ("1234567/24,A,07700900123,2999-01-01,REPORTED,,,2026-11-01,,false,en-GB,x", "victim_dob"),
    ("1234567/24,A,07700900123,1980-02-01,MAYBE,,,2026-11-01,,false,en-GB,x", "status_code"),
    ("1234567/24,A,07700900123,1980-02-01,REPORTED,,,,,false,en-GB,x", "last_update"),
    (
        "1234567/24,A,07700900123,1980-02-01,REPORTED,,,2026-11-01,soon,false,en-GB,x",
        "next_update_due",
    ),
    ("1234567/24,A,07700900123,1980-02-01,REPORTED,,,2026-11-01,,yes,en-GB,x", "enhanced_rights"),
    ("1234567/24,A,07700900123,1980-02-01,REPORTED,,,2026-11-01,,false,english,x", "language"),
    ("1234567/24,A,07700900123,1980-02-01,REPORTED", "row"),
]


@pytest.mark.parametrize(("bad_row", "column"), BAD_ROWS)
def test_each_kind_of_bad_row_is_reported_and_nothing_imported(
    app: Flask, tmp_path: Path, bad_row: str, column: str
) -> None:
    """A bad row is named by line and column, and the good rows around it are not imported."""
    result = run_import(app, write_csv(tmp_path, [GOOD[1], bad_row]))
    assert result.exit_code != 0
    assert f"line 3, {column}:" in result.output
    assert "nothing was imported" in result.output
    assert count(app, Case) == 0
    assert count(app, Victim) == 0


def test_wrong_header_is_refused(app: Flask, tmp_path: Path) -> None:
    """The header must be exactly the documented one."""
    result = run_import(app, write_csv(tmp_path, GOOD, header="ref,name"))
    assert result.exit_code != 0
    assert "line 1, header" in result.output
    assert count(app, Case) == 0


def test_duplicate_reference_in_one_file_is_refused(app: Flask, tmp_path: Path) -> None:
    """Two rows for one reference (after normalising) are ambiguous: refuse the second."""
    duplicate = GOOD[0].replace("1234567/24", "1234567 / 24", 1)
    result = run_import(app, write_csv(tmp_path, [GOOD[0], duplicate]))
    assert "line 3, crime_reference: duplicate of line 2" in result.output
    assert count(app, Case) == 0


def test_every_error_is_listed(app: Flask, tmp_path: Path) -> None:
    """All bad rows are reported in one go, not just the first."""
    rows = [bad for bad, _ in BAD_ROWS[:3]]
    result = run_import(app, write_csv(tmp_path, rows))
    for line in (2, 3, 4):
        assert f"line {line}," in result.output


def test_reimport_updates_existing_cases(app: Flask, tmp_path: Path) -> None:
    """Importing again upserts by reference: no duplicates, fields updated."""
    assert run_import(app, write_csv(tmp_path, GOOD)).exit_code == 0
    changed = GOOD[0].replace("UNDER_INVESTIGATION", "SUSPECT_ARRESTED")
    result = run_import(app, write_csv(tmp_path, [changed]))
    assert "0 created, 1 updated" in result.output
    assert count(app, Case) == 2
    assert count(app, Victim) == 2
    with app.extensions["helpline.sessionmaker"]() as session:
        case = session.scalar(select(Case).where(Case.reference_key == "1234567/24"))
        assert case is not None and case.status_code == "SUSPECT_ARRESTED"


def test_an_oversized_field_is_a_bad_row_not_a_traceback(app: Flask, tmp_path: Path) -> None:
    """A field over csv's 128 KiB limit is reported by line; nothing is imported."""
    huge = GOOD[1].replace("Charged with assault", "x" * (200 * 1024))
    result = run_import(app, write_csv(tmp_path, [GOOD[0], huge]))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "line 3" in result.output and "Traceback" not in result.output
    assert "nothing was imported" in result.output
    assert count(app, Case) == 0


def test_a_latin1_file_is_refused_clearly(app: Flask, tmp_path: Path) -> None:
    """A file that is not UTF-8 gets one clear error and leaves the database as it was."""
    path = tmp_path / "cases.csv"
    rows = [",".join(HEADER), GOOD[0].replace("Alex Example", "Zoë Example")]
    path.write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    result = run_import(app, path)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1
    assert "UTF-8" in result.output
    assert count(app, Case) == 0


def test_nul_bytes_are_refused(app: Flask, tmp_path: Path) -> None:
    """A NUL character in any cell is a bad row (PostgreSQL text cannot hold one)."""
    result = run_import(app, write_csv(tmp_path, [GOOD[0].replace("Alex", "Al\x00ex")]))
    assert result.exit_code == 1
    assert "line 2, victim_name:" in result.output
    assert count(app, Case) == 0


def test_errors_never_echo_phone_numbers_or_dates_of_birth(app: Flask, tmp_path: Path) -> None:
    """A bad phone or date of birth is named by line and column, without its value."""
    bad = GOOD[0].replace("07700 900123", "07700 90012").replace("1980-02-01", "1980-02-31")
    result = run_import(app, write_csv(tmp_path, [bad]))
    assert "line 2, victim_phone:" in result.output and "line 2, victim_dob:" in result.output
    assert "90012" not in result.output and "1980" not in result.output


def test_full_width_digits_are_the_same_case(app: Flask, tmp_path: Path) -> None:
    """A reference in full-width digits (U+FF10-FF19) and in ASCII are one case, not two."""
    wide = GOOD[0].replace("1234567/24", full_width("1234567/24"))
    assert run_import(app, write_csv(tmp_path, [wide])).exit_code == 0
    assert run_import(app, write_csv(tmp_path, [GOOD[0]])).exit_code == 0
    with app.extensions["helpline.sessionmaker"]() as session:
        keys = session.scalars(select(Case.reference_key)).all()
        assert keys == ["1234567/24"]


def test_other_non_ascii_digits_are_refused(app: Flask, tmp_path: Path) -> None:
    """Digits NFKC does not map to ASCII (Arabic-Indic) are not in an accepted format."""
    arabic = GOOD[0].replace("1234567/24", "".join(chr(0x0660 + int(d)) for d in "1234567") + "/24")
    result = run_import(app, write_csv(tmp_path, [arabic]))
    assert "line 2, crime_reference:" in result.output
    assert count(app, Case) == 0
