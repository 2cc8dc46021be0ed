"""``python -m devhost --app DIR --port N --data DIR``: serve a Functions app locally."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from .app import AppLoadError


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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from .durable.store import StoreUnavailable
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
    try:
        asyncio.run(host.serve())
    except (OSError, DurableEngineFailed) as exc:
        print(f"devhost: cannot serve: {exc}", file=sys.stderr, flush=True)
        return 1
    sys.stdout.flush()
    sys.stderr.flush()
    # A sync activity may still be running in a worker thread; its result is not
    # recorded and it runs again on the next start, so do not wait for it.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
