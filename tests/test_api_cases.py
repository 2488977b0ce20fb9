"""The case-update API for records systems, and the OpenAPI document."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from api.auth import issue_token
from cases.models import Case
from tests.test_import import full_width

BODY = {
    "victim_name": "Alex Example",
    "victim_phone": "07700 900123",
    "victim_dob": "1980-02-01",
    "status_code": "CHARGED",
    "status_detail": "Charged; first hearing to be set.",
    "officer": "DC Smith",
    "last_update": "2026-11-01",
    "next_update_due": None,
    "enhanced_rights": True,
    "language": "en-GB",
    "offence": "Assault",
}


def token(app: Flask, role: str) -> dict[str, str]:
    with app.extensions["helpline.sessionmaker"]() as session:
        secret = issue_token(session, f"test-{role}", role)
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_token_required(client: FlaskClient) -> None:
    """No token or an unknown one: 401 with a reason."""
    assert client.put("/api/cases/1234567/24", json=BODY).status_code == 401
    response = client.put(
        "/api/cases/1234567/24", json=BODY, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "the token is unknown or revoked"


def test_wrong_role_is_forbidden(app: Flask, client: FlaskClient) -> None:
    """An agent token cannot push case updates."""
    response = client.put("/api/cases/1234567/24", json=BODY, headers=token(app, "agent"))
    assert response.status_code == 403


def test_create_then_update(app: Flask, client: FlaskClient) -> None:
    """The first PUT creates (201), the second updates (200) the same case."""
    headers = token(app, "integration")
    assert client.put("/api/cases/1234567/24", json=BODY, headers=headers).status_code == 201
    changed = BODY | {"status_code": "COURT_DATE_SET"}
    assert client.put("/api/cases/1234567/24", json=changed, headers=headers).status_code == 200
    with app.extensions["helpline.sessionmaker"]() as session:
        cases = session.scalars(select(Case)).all()
        assert [c.status_code for c in cases] == ["COURT_DATE_SET"]
        assert cases[0].victim.phone_e164 == "+447700900123"


def test_bad_values_get_422_with_reasons(app: Flask, client: FlaskClient) -> None:
    """Each invalid field is named with its reason and nothing is saved."""
    bad = BODY | {"status_code": "NOPE", "victim_dob": "yesterday"}
    response = client.put("/api/cases/1234567/24", json=bad, headers=token(app, "integration"))
    assert response.status_code == 422
    fields = {d["field"] for d in response.get_json()["details"]}
    assert fields == {"status_code", "victim_dob"}
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.scalars(select(Case)).all() == []


def test_malformed_bodies_get_400(app: Flask, client: FlaskClient) -> None:
    """Not JSON, not an object, or unknown fields: 400 with a reason."""
    headers = token(app, "integration")
    for kwargs in ({"data": "nope"}, {"json": [1, 2]}, {"json": BODY | {"suspect": "x"}}):
        response = client.put("/api/cases/1234567/24", headers=headers, **kwargs)
        assert response.status_code == 400
        assert response.get_json()["error"]


def test_bad_reference_in_path_is_422(app: Flask, client: FlaskClient) -> None:
    """A reference in no accepted format is refused."""
    response = client.put("/api/cases/ABC", json=BODY, headers=token(app, "integration"))
    assert response.status_code == 422
    assert response.get_json()["details"][0]["field"] == "crime_reference"


def test_openapi_document_describes_the_api(client: FlaskClient) -> None:
    """/api/openapi.json is served and names the case endpoint and bearer auth."""
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "put" in document["paths"]["/api/cases/{crime_reference}"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_unknown_api_path_is_json_404(client: FlaskClient) -> None:
    """Errors under /api/ are JSON with a reason."""
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_fields_of_the_wrong_json_type_are_422(app: Flask, client: FlaskClient) -> None:
    """A list, a number or an object where a string is due is refused, not stored as text."""
    headers = token(app, "integration")
    for field, value in (
        ("victim_name", ["a"]),
        ("officer", 1e308),
        ("status_detail", {"a": 1}),
        ("victim_phone", 7700900123),
        ("enhanced_rights", "yes"),
        ("next_update_due", 20261101),
    ):
        response = client.put("/api/cases/1234567/24", json=BODY | {field: value}, headers=headers)
        assert response.status_code == 422, field
        assert [d["field"] for d in response.get_json()["details"]] == [field]
    infinite = client.put(
        "/api/cases/1234567/24",
        data='{"victim_name": 1e309}',
        content_type="application/json",
        headers=headers,
    )
    assert infinite.status_code in (400, 422)
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.scalars(select(Case)).all() == []


def test_422s_never_echo_personal_data(app: Flask, client: FlaskClient) -> None:
    """A bad phone number or date of birth is named, but its value is not sent back."""
    bad = BODY | {"victim_phone": "07700 90012", "victim_dob": "1980-02-31"}
    response = client.put("/api/cases/1234567/24", json=bad, headers=token(app, "integration"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "90012" not in text and "1980" not in text


def test_nul_bytes_are_refused(app: Flask, client: FlaskClient) -> None:
    """A NUL character in a field is a 422 naming the field."""
    bad = BODY | {"officer": "DC\x00Smith"}
    response = client.put("/api/cases/1234567/24", json=bad, headers=token(app, "integration"))
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["details"]] == ["officer"]


def test_full_width_reference_is_the_same_case(app: Flask, client: FlaskClient) -> None:
    """A PUT with full-width digits updates the ASCII-keyed case instead of adding one."""
    headers = token(app, "integration")
    wide = full_width("8000002/24")
    assert client.put("/api/cases/8000002/24", json=BODY, headers=headers).status_code == 201
    assert client.put(f"/api/cases/{wide}", json=BODY, headers=headers).status_code == 200
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.scalars(select(Case.reference_key)).all() == ["8000002/24"]


def test_case_answers_are_not_cached(app: Flask, client: FlaskClient) -> None:
    """Answers naming a crime reference carry Cache-Control: no-store."""
    response = client.put("/api/cases/1234567/24", json=BODY, headers=token(app, "integration"))
    assert response.headers["Cache-Control"] == "no-store"
