"""The command line: arguments, exit codes; starts the dashboard or headless mode.

Exit codes: 0 clean shutdown, 1 cannot serve (port in use ...), 2 bad arguments or a collection
or environment file that cannot be used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from mocktui import __version__
from mocktui.config import Settings, load_collections, parse_variable
from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.engine.state import StateError, StateFile
from mocktui.engine.store import ControlError
from mocktui.postman.loader import CollectionError
from mocktui.rules import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_MAX_BODY,
    DEFAULT_UPSTREAM_TIMEOUT,
    exposure_warning,
    is_loopback,
    parse_api_key,
    parse_body_limit,
    parse_delay,
    parse_header_names,
    parse_max_body,
    parse_port,
    parse_seed,
    parse_store,
    parse_timeout,
    parse_upstream,
    parse_workers,
    terminal_safe,
)

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


def fail(message: str) -> None:
    """One line on stderr; file names and JSON paths may hold escape sequences: escaped."""
    print(f"mocktui: error: {terminal_safe(message)}", file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mocktui",
        description="Serve Postman collections as a mock HTTP server, with a live dashboard. "
        "Without a COLLECTION, serves the bundled demo.",
        epilog="Keys in the dashboard: ? shows them all. 'mocktui check COLLECTION ...' says "
        "what is wrong with a collection (a file named check: mocktui ./check); "
        "'mocktui attach URL' opens the dashboard on a mocktui running elsewhere. "
        "Docs: README.md.",
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
        help="private mock: requests need this key in the x-api-key header "
        "(visible to local users in ps: prefer --api-key-file or MOCKTUI_API_KEY)",
    )
    p.add_argument(
        "--api-key-file",
        metavar="FILE",
        help="private mock: the key is the first line of FILE",
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
    p.add_argument(
        "--state",
        metavar="FILE",
        help="keep controls and scenarios in FILE: restored at start, saved after every change",
    )
    p.add_argument(
        "--scenario",
        metavar="NAME",
        help="apply this saved scenario at start (scenarios live in the --state file)",
    )
    p.add_argument("--har", metavar="FILE", help="write the traffic as HAR 1.2 to FILE on exit")
    p.add_argument(
        "--coverage",
        metavar="FILE",
        help="write which examples were served (JSON) to FILE on exit, and a summary line",
    )
    p.add_argument(
        "--max-body",
        metavar="BYTES",
        type=_option(parse_max_body),
        default=DEFAULT_MAX_BODY,
        help="the largest request body accepted (default 10485760, 10 MiB); larger gets 413",
    )
    p.add_argument(
        "--body-limit",
        metavar="BYTES",
        type=_option(parse_body_limit),
        default=DEFAULT_BODY_LIMIT,
        help="bytes of each request and response body kept for the dashboard, $PAGER, HAR and "
        "the control API (default 65536, 64 KiB; at most 67108864, 64 MiB)",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        help="the dashboard's config file: a [keys] table mapping binding ids to keys "
        "(default: $XDG_CONFIG_HOME/mocktui/config.toml, else ~/.config/mocktui/config.toml)",
    )
    p.add_argument(
        "--upstream",
        metavar="URL|auto",
        type=_option(parse_upstream),
        help="proxy mode: a request no example answers goes to URL + its path and query "
        "('auto': each endpoint's own base URL from the collection)",
    )
    p.add_argument(
        "--upstream-timeout",
        metavar="S",
        type=_option(parse_timeout),
        default=DEFAULT_UPSTREAM_TIMEOUT,
        help="seconds the upstream may take before the client gets 504 (default 30)",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="with --upstream: save every proxied exchange as an example in the collection",
    )
    p.add_argument(
        "--record-all-headers",
        action="store_true",
        help="recorded examples keep Date, Age, Expires and Last-Modified too",
    )
    p.add_argument(
        "--record-to",
        metavar="FILE",
        help="write the collection with the saved examples to FILE instead of in place",
    )
    p.add_argument(
        "--store",
        metavar="URL",
        type=_option(parse_store),
        help="share controls, counts and traffic with other mocktui processes through Redis: "
        "redis://HOST:PORT/DB",
    )
    p.add_argument(
        "--workers",
        metavar="N",
        type=_option(parse_workers),
        default=1,
        help="headless: serve with N worker processes on one port (N > 1 needs --store)",
    )
    p.add_argument("--version", action="version", version=f"mocktui {__version__}")
    return p


def api_key_from(args: argparse.Namespace, environ: Mapping[str, str]) -> str | None:
    """The private mode's key: --api-key, else --api-key-file, else MOCKTUI_API_KEY; None for a
    public mock. ValueError (with the source in front) for a key mocktui refuses."""
    if args.api_key is not None and args.api_key_file is not None:
        raise ValueError("--api-key and --api-key-file: give one of them")
    if args.api_key is not None:
        source, text = "--api-key", args.api_key
    elif args.api_key_file is not None:
        source = f"--api-key-file {args.api_key_file}"
        try:
            with open(args.api_key_file, "rb") as f:
                raw = f.read(4097)
        except OSError as exc:
            raise ValueError(f"{source}: cannot read: {exc.strerror or exc}") from None
        lines = raw.decode("utf-8", "replace").splitlines()
        text = lines[0] if lines else ""
        if len(raw) > 4096:
            raise ValueError(f"{source}: longer than 4096 bytes: not a key file")
    elif "MOCKTUI_API_KEY" in environ:
        source, text = "MOCKTUI_API_KEY", environ["MOCKTUI_API_KEY"]
    else:
        return None
    try:
        return parse_api_key(text)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def settings_from(args: argparse.Namespace, api_key: str | None = None) -> Settings:
    return Settings(
        collections=tuple(args.collections),
        env_file=args.env,
        variables=tuple(args.var),
        host=args.host,
        port=args.port,
        headless=args.headless,
        watch=not args.no_watch,
        state_file=args.state,
        scenario=args.scenario,
        har=args.har,
        coverage=args.coverage,
        max_body=args.max_body,
        upstream=args.upstream,
        upstream_timeout=args.upstream_timeout,
        record=args.record,
        record_all_headers=args.record_all_headers,
        record_to=args.record_to,
        engine=EngineSettings(
            api_key=api_key,
            delay_ms=args.delay,
            match_body=args.match_body,
            match_headers=args.match_headers,
            cors=not args.no_cors,
            seed=args.seed,
            body_limit=args.body_limit,
        ),
    )


def record_problem(settings: Settings) -> str | None:
    """Why the record options cannot be used together as given, else None."""
    if settings.record and settings.upstream is None:
        return "--record saves what the upstream answers: give --upstream URL (or auto) too"
    if settings.record_to and len(settings.collections) > 1:
        return "--record-to FILE takes one COLLECTION (it is written there with the examples)"
    if settings.record and not settings.collections and not settings.record_to:
        return (
            "--record writes into the collection file: give a COLLECTION "
            "(or --record-to FILE for a copy of the demo)"
        )
    return None


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


def attach_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mocktui attach",
        description="The dashboard on a mocktui running elsewhere (mocktui --headless on a CI "
        "box, in a container, in another terminal), through its control API and event stream. "
        "Quitting stops only this dashboard.",
        epilog="Reloading the collections is the remote's business (it watches its files). "
        "Exit status: 0 on quit, 1 when the mocktui cannot be reached or refuses the key.",
    )
    p.add_argument("url", metavar="URL", help="where it listens, e.g. http://10.0.0.5:3000")
    p.add_argument(
        "--api-key",
        metavar="KEY",
        help="a private mock's key, sent as x-api-key (visible in ps: prefer --api-key-file "
        "or MOCKTUI_API_KEY)",
    )
    p.add_argument("--api-key-file", metavar="FILE", help="the key is the first line of FILE")
    return p


def attach_main(argv: Sequence[str]) -> int:
    from mocktui.tui.remote import AttachError, run_attach

    args = attach_parser().parse_args(argv)
    try:
        api_key = api_key_from(args, os.environ)
    except ValueError as exc:
        fail(str(exc))
        return EXIT_USAGE
    try:
        return run_attach(args.url, api_key)
    except AttachError as exc:
        fail(str(exc))
        return EXIT_RUNTIME
    except KeyboardInterrupt:
        return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["check"]:  # a file named check is served as ./check or after --
        return check_main(argv[1:])
    if argv[:1] == ["attach"]:  # likewise: a file named attach is served as ./attach
        return attach_main(argv[1:])

    args = parser().parse_args(argv)
    try:
        api_key = api_key_from(args, os.environ)
    except ValueError as exc:
        fail(str(exc))
        return EXIT_USAGE
    settings = settings_from(args, api_key)
    problem = record_problem(settings)
    if problem is not None:
        fail(problem)
        return EXIT_USAGE
    if args.workers > 1:
        if not args.headless:
            fail("--workers: several worker processes serve headless only: add --headless")
            return EXIT_USAGE
        if args.store is None:
            fail(
                f"--workers {args.workers}: the workers must share one control store: add "
                "--store redis://HOST:PORT/DB (else a pin would apply to one worker in "
                f"{args.workers})"
            )
            return EXIT_USAGE
        if args.har:
            fail("--har with --workers: each worker sees its share; read GET /__mocktui/har")
            return EXIT_USAGE
        if args.upstream is not None:
            fail("--upstream with --workers: proxy and record run in one process; drop --workers")
            return EXIT_USAGE
    try:
        collections = load_collections(
            settings.collection_paths, settings.env_file, dict(settings.variables)
        )
    except CollectionError as exc:
        fail(f"{exc}")
        return EXIT_USAGE
    engine = MockEngine(collections, settings.engine)
    state = None
    notes: list[str] = []  # warnings shown once serving (after the ready line headless)
    if api_key is None and not is_loopback(settings.host):
        notes.append(exposure_warning(settings.host))
    if settings.state_file:
        state = StateFile(settings.state_file, engine.store)
        try:
            notes += state.load()
        except StateError as exc:
            fail(f"{exc}")
            return EXIT_USAGE
    if settings.scenario is not None:
        try:
            notes += engine.store.apply_scenario(settings.scenario, source="scenario")
        except ControlError as exc:
            where = f"{settings.state_file}: " if settings.state_file else "--scenario: "
            hint = "" if settings.state_file else " (scenarios are kept in the --state file)"
            fail(f"{where}{exc.message}{hint}")
            return EXIT_USAGE
    keymap: dict[str, str] = {}
    terminal: int | None = None
    if not settings.headless:
        from mocktui.tui.keymap import ConfigError, load_keymap
        from mocktui.tui.terminal import NoTerminal, find_terminal

        try:
            keymap = load_keymap(args.config)
            terminal = find_terminal()  # output redirected: the controlling terminal
        except (ConfigError, NoTerminal) as exc:
            fail(str(exc))
            return EXIT_USAGE
    if args.store is not None:
        from mocktui.store import StoreUnavailable, open_store, probe

        try:
            probe(args.store)
        except StoreUnavailable as exc:
            fail(f"--store {exc}")
            return EXIT_RUNTIME
        if args.workers == 1:
            open_store(engine, args.store)
    from mocktui.server.serve import BindError, bind_socket  # Quart and Hypercorn: not for check

    try:
        sock = bind_socket(settings.host, settings.port)
    except BindError as exc:
        fail(f"{exc.strerror}")
        return EXIT_RUNTIME
    try:
        if args.workers > 1:
            from mocktui.server.workers import run_workers

            return run_workers(settings, args.store, args.workers, sock, notes, engine)
        if settings.headless:
            from mocktui.server.headless import run_headless

            return asyncio.run(
                run_headless(engine, sock, settings=settings, state=state, notes=notes)
            )
        from mocktui.tui.app import run_dashboard

        return run_dashboard(
            engine, sock, settings, state=state, notes=notes, keymap=keymap, terminal=terminal
        )
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        sock.close()
