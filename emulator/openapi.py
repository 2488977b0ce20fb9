"""Check REST requests against Twilio's own OpenAPI description of api.twilio.com."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

TWILIO_HOST = "https://api.twilio.com"


@dataclass
class _Request:
    """The shape openapi-core's request protocol reads."""

    method: str
    path: str
    body: bytes | None
    content_type: str
    parameters: Any
    host_url: str = TWILIO_HOST

    @property
    def full_url_pattern(self) -> str:
        """Return the URL as if the request had gone to api.twilio.com."""
        return self.host_url + self.path


class SpecValidator:
    """Validate requests with openapi-core; a no-op (that says so) when no spec is configured."""

    def __init__(self, api: Any, source: str | None) -> None:
        self.api = api
        self.source = source
        self.status = f"validating against {source}" if api else "skipped: no OpenAPI spec given"

    @classmethod
    def load(cls, path: str | None) -> SpecValidator:
        """Load (once per path, for the whole process) the spec at path."""
        return cls(_load(path) if path else None, path)

    @property
    def enabled(self) -> bool:
        """Tell whether requests are actually being validated."""
        return self.api is not None

    def errors(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        body: bytes,
        content_type: str,
        authorization: str,
    ) -> list[str]:
        """Return why Twilio would reject this request (empty when it is acceptable)."""
        if self.api is None:
            return []
        # Twilio's spec names Basic auth as the security scheme, so the header must be passed on.
        headers = Headers({"Content-Type": content_type, "Authorization": authorization})
        params = RequestParameters(
            query=ImmutableMultiDict(query), header=headers, cookie=ImmutableMultiDict()
        )
        request = _Request(method.lower(), path, body or None, content_type, params)
        result = self.api.unmarshal_request(request)
        return [_describe(err) for err in result.errors]


def _describe(err: Exception) -> str:
    """Flatten an openapi-core error and its schema causes into one line."""
    parts = [f"{type(err).__name__}: {err}"]
    cause = err.__cause__
    while cause is not None:
        inner = getattr(cause, "schema_errors", None)
        parts.append("; ".join(e.message for e in inner) if inner else str(cause))
        cause = cause.__cause__
    return " <- ".join(p for p in parts if p)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Any:
    """Parse the 1.8 MB spec once; from_file_path's YAML reader rejects its JSON escapes."""
    from openapi_core import OpenAPI

    with open(path, encoding="utf-8") as fh:
        return OpenAPI.from_dict(json.load(fh))
