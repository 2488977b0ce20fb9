"""Every REST request: log it, check Basic auth, check it against Twilio's OpenAPI spec."""

from __future__ import annotations

from flask import Blueprint, Response, request

from emulator.rest_common import authorized, emulator, error


def install(bp: Blueprint) -> None:
    """Attach the auth check, spec validation and request log to a REST blueprint."""
    bp.before_request(_guard)
    bp.after_request(_log)


def _guard() -> Response | None:
    """Refuse bad credentials as Twilio does; record requests Twilio would reject."""
    emu = emulator()
    if emu.outage.mode is not None:
        return emu.outage.answer()
    account_sid = (request.view_args or {}).get("account_sid", "")
    if not authorized(emu, account_sid):
        return error(401, 20003, "Authenticate")
    problems = emu.spec.errors(
        request.method,
        request.path,
        list(request.args.items(multi=True)),
        request.get_data(cache=True),
        request.content_type or "",
        request.headers.get("Authorization", ""),
    )
    for problem in problems:
        emu.faults.record(
            request.view_args.get("call_sid") if request.view_args else None,
            "openapi",
            problem,
            method=request.method,
            path=request.path,
        )
    return None


def _log(response: Response) -> Response:
    """Append the request and its status to emu.rest_log."""
    source = request.form if request.method == "POST" else request.args
    emulator().rest_log.append(
        {
            "method": request.method,
            "path": request.path,
            "params": {k: v if len(v) > 1 else v[0] for k, v in source.lists()},
            "status": response.status_code,
        }
    )
    return response
