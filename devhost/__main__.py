"""``python -m devhost --app DIR --port N --data DIR``: serve a Functions app locally.

``--azurite DIR`` runs Azurite's blob service (see devhost/azurite.py) with its data
in DIR from before the app is loaded until devhost has stopped, and gives the app its
connection string as ``AzureWebJobsStorage``. An ``AzureWebJobsStorage`` that is
already set to real storage (anything but ``UseDevelopmentStorage=true``) wins: then
no Azurite is started.

``--announce TEXT`` prints TEXT on stdout, ``{url}`` replaced by ``http://HOST:PORT``,
once devhost accepts requests: one line for a person or a script to wait for.

The app's ``local.settings.json`` ``Values`` are set in the environment first, as Core
Tools does; a variable already in the environment wins.

Exit codes: 0 after SIGINT/SIGTERM, 2 when the app or its durable state cannot be
loaded, 1 when devhost cannot serve or Azurite cannot start (its output on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from . import PRIVATE_UMASK
from .app import AppLoadError
from .azurite import Azurite, AzuriteError
from .local_settings import load_local_settings

STORAGE_SETTING = "AzureWebJobsStorage"
DEVELOPMENT_STORAGE = "UseDevelopmentStorage=true"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
READY_MESSAGE = "devhost ready"  # how server.py's ready log line starts

log = logging.getLogger("devhost")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devhost",
        description="Run an Azure Functions (Python, folder-per-function) app with Durable "
        "Functions locally, without Azure.",
    )
    parser.add_argument("--app", type=Path, default=Path("."), help="app folder (default: .)")
    parser.add_argument("--port", type=int, default=7071, help="HTTP port (default: 7071)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--data", type=Path, default=None, help="durable state folder (default: APP/.devhost)"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="stderr log level (default: info)",
    )
    parser.add_argument(
        "--azurite",
        type=Path,
        default=None,
        metavar="DIR",
        help="run Azurite (node_modules/.bin/azurite-blob, or $QJOBS_AZURITE_BIN) on a free "
        f"127.0.0.1 port with its data in DIR while devhost runs, and set {STORAGE_SETTING} "
        f"to it; skipped when {STORAGE_SETTING} is already set to other storage",
    )
    parser.add_argument(
        "--announce",
        default=None,
        metavar="TEXT",
        help="print TEXT on stdout once devhost accepts requests, {url} replaced by "
        "http://HOST:PORT",
    )
    return parser.parse_args(argv)


class Announcer(logging.Handler):
    """Prints a line on stdout when devhost logs that it is ready to serve."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(READY_MESSAGE):
            print(self.text, flush=True)


def configure_logging(level_name: str, announce: str | None) -> None:
    level = logging.getLevelNamesMapping()[level_name.upper()]
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter(LOG_FORMAT))
    # The level filters at the stderr handler, and devhost's own loggers always create
    # WARNING records: the ready line reaches the Announcer even at --log-level error.
    stderr.setLevel(level)
    logging.root.addHandler(stderr)
    logging.root.setLevel(level)
    log.setLevel(min(level, logging.WARNING))
    if announce is not None:
        log.addHandler(Announcer(announce))


@contextlib.contextmanager
def local_storage(location: Path | None) -> Iterator[None]:
    """Run Azurite in `location` for the duration and point AzureWebJobsStorage at it.

    Nothing happens without a location, or when AzureWebJobsStorage names other storage."""
    configured = os.environ.get(STORAGE_SETTING, "")
    if location is None or configured not in ("", DEVELOPMENT_STORAGE):
        if location is not None:
            log.info("%s is set to other storage: not starting Azurite", STORAGE_SETTING)
        yield
        return
    with Azurite(location) as azurite:
        os.environ[STORAGE_SETTING] = azurite.connection_string
        log.info("Azurite blob service at %s (data: %s)", azurite.blob_endpoint, location)
        yield


def serve(args: argparse.Namespace) -> int:
    """Load the app and serve it until SIGINT/SIGTERM; the exit code."""
    from .durable.store import StoreUnavailable
    from .limits import LimitSettingError
    from .server import DevHost, DurableEngineFailed, HostOptions

    data_dir = args.data if args.data is not None else args.app / ".devhost"
    try:
        host = DevHost(HostOptions(args.app, args.host, args.port, data_dir.resolve()))
    except AppLoadError as exc:
        print(f"devhost: cannot load the app: {exc}", file=sys.stderr, flush=True)
        return 2
    except StoreUnavailable as exc:
        print(f"devhost: cannot open the durable state: {exc}", file=sys.stderr, flush=True)
        return 2
    except LimitSettingError as exc:
        print(f"devhost: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        asyncio.run(host.serve())
    except (OSError, DurableEngineFailed) as exc:
        print(f"devhost: cannot serve: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.umask(PRIVATE_UMASK)
    announce = args.announce
    if announce is not None:
        announce = announce.replace("{url}", f"http://{args.host}:{args.port}")
    configure_logging(args.log_level, announce)
    try:
        loaded = load_local_settings(args.app)
    except AppLoadError as exc:
        print(f"devhost: cannot load the app: {exc}", file=sys.stderr, flush=True)
        return 2
    if loaded:
        log.info("local.settings.json: set %s", ", ".join(loaded))
    try:
        with local_storage(args.azurite):
            code = serve(args)
    except AzuriteError as exc:
        print(f"devhost: cannot start Azurite: {exc}", file=sys.stderr, flush=True)
        return 1
    if code:
        return code
    sys.stdout.flush()
    sys.stderr.flush()
    # A sync activity may still be running in a worker thread; its result is not
    # recorded and it runs again on the next start, so do not wait for it.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
