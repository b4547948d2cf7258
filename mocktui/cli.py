"""The command line: arguments, exit codes; starts the dashboard or headless mode.

Exit codes: 0 clean shutdown, 1 cannot serve (port in use ...), 2 bad arguments or a collection
or environment file that cannot be used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from mocktui import __version__
from mocktui.config import Settings, load_collections, parse_variable
from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.postman.loader import CollectionError
from mocktui.rules import parse_delay, parse_header_names, parse_port, parse_seed

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2
EXIT_PROBLEMS = 1  # mocktui check: errors found (or warnings, with --strict)
T = TypeVar("T")


def _option(parse: Callable[[str], T]) -> Callable[[str], T]:
    """A config parser as an argparse type: its ValueError becomes argparse's usage error."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__.removeprefix("parse_")
    return convert


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mocktui",
        description="Serve Postman collections as a mock HTTP server, with a live dashboard. "
        "Without a COLLECTION, serves the bundled demo.",
        epilog="Keys in the dashboard: ? shows them all. 'mocktui check COLLECTION ...' says "
        "what is wrong with a collection (a file named check: mocktui ./check). Docs: README.md.",
    )
    p.add_argument(
        "collections",
        nargs="*",
        metavar="COLLECTION",
        help="Postman collection files (v2.0 or v2.1); several are pooled",
    )
    p.add_argument(
        "--headless",
        action="store_true",
        help="no dashboard: a ready line on stderr, one JSON line per request on stdout",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=_option(parse_port),
        default=3000,
        help="port to listen on (default 3000; 0 picks a free one)",
    )
    p.add_argument("--env", metavar="FILE", help="Postman environment file for {{variables}}")
    p.add_argument(
        "--var",
        metavar="NAME=VALUE",
        type=_option(parse_variable),
        action="append",
        default=[],
        help="set a variable (repeatable; wins over --env and the collection)",
    )
    p.add_argument(
        "--api-key",
        metavar="KEY",
        help="private mock: requests need this key in the x-api-key header",
    )
    p.add_argument(
        "--delay",
        metavar="MS",
        type=_option(parse_delay),
        default=0,
        help="wait this long before every answer",
    )
    p.add_argument(
        "--match-body",
        action="store_true",
        help="only examples whose request body equals the request's body match",
    )
    p.add_argument(
        "--match-headers",
        metavar="NAMES",
        type=_option(parse_header_names),
        default=(),
        help="comma-separated header names that must equal the example's ('true': all)",
    )
    p.add_argument(
        "--no-cors", action="store_true", help="no CORS headers and no preflight answers"
    )
    p.add_argument(
        "--no-watch",
        action="store_true",
        help="do not reload the collection files when they change",
    )
    p.add_argument(
        "--seed", type=_option(parse_seed), help="seed for {{$dynamic}} fake data (reproducible)"
    )
    p.add_argument("--version", action="version", version=f"mocktui {__version__}")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        collections=tuple(args.collections),
        env_file=args.env,
        variables=tuple(args.var),
        host=args.host,
        port=args.port,
        headless=args.headless,
        watch=not args.no_watch,
        engine=EngineSettings(
            api_key=args.api_key,
            delay_ms=args.delay,
            match_body=args.match_body,
            match_headers=args.match_headers,
            cors=not args.no_cors,
            seed=args.seed,
        ),
    )


def check_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mocktui check",
        description="Say what is wrong with Postman collections before a client finds out: "
        "examples no request can get, duplicate names, bodies that are not JSON, variables "
        "defined nowhere ... Loads the files as the server does.",
        epilog="Exit status: 0 no errors, 1 errors (or warnings with --strict), "
        "2 a file that cannot be used.",
    )
    p.add_argument("collections", nargs="+", metavar="COLLECTION", help="Postman collection files")
    p.add_argument("--env", metavar="FILE", help="Postman environment file for {{variables}}")
    p.add_argument(
        "--var",
        metavar="NAME=VALUE",
        type=_option(parse_variable),
        action="append",
        default=[],
        help="set a variable (repeatable; wins over --env and the collection)",
    )
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output (default text)"
    )
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit status 1)")
    return p


def check_main(argv: Sequence[str]) -> int:
    from mocktui.check import ERROR, check_collections, format_json, format_text

    args = check_parser().parse_args(argv)
    try:
        collections = load_collections(args.collections, args.env, dict(args.var))
    except CollectionError as exc:
        print(f"mocktui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    findings = check_collections(collections)
    output = (format_json if args.format == "json" else format_text)(collections, findings)
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # mocktui check ... | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    failed = any(f.severity == ERROR or args.strict for f in findings)
    return EXIT_PROBLEMS if failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["check"]:  # a file named check is served as ./check or after --
        return check_main(argv[1:])
    from mocktui.server.serve import BindError, bind_socket  # Quart and Hypercorn: not for check

    args = parser().parse_args(argv)
    settings = settings_from(args)
    try:
        collections = load_collections(
            settings.collection_paths, settings.env_file, dict(settings.variables)
        )
    except CollectionError as exc:
        print(f"mocktui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    engine = MockEngine(collections, settings.engine)
    try:
        sock = bind_socket(settings.host, settings.port)
    except BindError as exc:
        print(f"mocktui: error: {exc.strerror}", file=sys.stderr)
        return EXIT_RUNTIME
    try:
        if settings.headless:
            from mocktui.server.headless import run_headless

            return asyncio.run(run_headless(engine, sock, settings=settings))
        from mocktui.tui.app import run_dashboard

        return run_dashboard(engine, sock, settings)
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        sock.close()
