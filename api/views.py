"""API endpoints that belong to no single feature, and JSON errors under /api/."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from api.errors import handle_http_error
from api.openapi import document
from core.features import registry

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI document (public: it describes, it discloses nothing)."""
    return jsonify(document(registry(current_app).openapi))  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    """Register the API blueprint and answer HTTP errors under /api/ as JSON."""
    app.register_blueprint(bp)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        return handle_http_error(exc) if request.path.startswith("/api/") else exc
