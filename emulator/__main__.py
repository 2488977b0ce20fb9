"""Command line: `python -m emulator serve ...` and `python -m emulator call ...`."""

from __future__ import annotations

import argparse
import os
import sys

from emulator.people import Party


def parse_party(spec: str) -> tuple[str, Party]:
    """Parse KEY=MODE[:answer_after=2,talk_for=60], e.g. client:alice=auto:answer_after=2."""
    key, _, rest = spec.partition("=")
    mode, _, options = rest.partition(":")
    if mode == "interactive":
        return key, Party.interactive()
    values = dict(item.split("=", 1) for item in options.split(",") if item)
    fields = {"answer_after", "talk_for"}
    unknown = set(values) - fields
    if unknown or mode not in ("auto", ""):
        raise argparse.ArgumentTypeError(f"bad --party {spec!r}")
    talk_for = values.get("talk_for")
    return key, Party(
        answer_after=float(values.get("answer_after", "1")),
        talk_for=float(talk_for) if talk_for is not None else 30.0,
    )


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="python -m emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the emulator until interrupted")
    serve.add_argument(
        "--helpline-url", default=os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8026)
    serve.add_argument(
        "--account-sid", default=os.environ.get("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    )
    serve.add_argument("--auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN", "secret"))
    serve.add_argument(
        "--helpline-number", default=os.environ.get("HELPLINE_NUMBER", "+442071838750")
    )
    serve.add_argument("--time-scale", type=float, default=1.0)
    serve.add_argument("--openapi-spec", default=os.environ.get("TWILIO_OPENAPI_SPEC"))
    serve.add_argument("--party", action="append", type=parse_party, default=[])
    sub.add_parser("call", help="terminal softphone (see --help after 'call')", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the chosen command."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["call"]:
        from emulator.softphone import main as softphone

        return softphone(argv[1:])
    args = build_parser().parse_args(argv)
    from emulator.server import serve

    print(f"Twilio emulator on http://{args.host}:{args.port} -> {args.helpline_url}", flush=True)
    serve(
        helpline_url=args.helpline_url,
        host=args.host,
        port=args.port,
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        helpline_number=args.helpline_number,
        time_scale=args.time_scale,
        openapi_spec=args.openapi_spec,
        parties=dict(args.party),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
