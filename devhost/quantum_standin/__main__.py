"""`python -m devhost.quantum_standin --port P --data DIR [--queue-seconds S ...]`: serve the
stand-in, print one JSON line (connection_string, workspace_settings, env, control_url) once
it serves, and run until SIGTERM or SIGINT. DIR holds the test CA (cert.pem) that clients
must trust. `--auth managed-identity` makes the workspace take managed-identity tokens
instead of its api key (env then holds IDENTITY_ENDPOINT and IDENTITY_HEADER).

With `-- COMMAND ...` it instead runs COMMAND with the stand-in's environment (its proxy and
CA, and the workspace settings: QJOBS_WORKSPACE_CONNECTION_STRING, or with
`--auth managed-identity` QJOBS_WORKSPACE_RESOURCE_ID and QJOBS_WORKSPACE_LOCATION), passes
SIGTERM and SIGINT on to it, and exits with its exit code: `scripts/start` runs devhost this
way."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .. import PRIVATE_UMASK
from .auth import AUTH_MODES
from .standin import QuantumStandIn


def main(argv: list[str] | None = None) -> None:
    os.umask(PRIVATE_UMASK)
    parser = argparse.ArgumentParser(prog="python -m devhost.quantum_standin")
    parser.add_argument("--port", type=int, default=0, help="proxy port (0: any free port)")
    parser.add_argument("--data", type=Path, required=True, help="folder for the test CA")
    parser.add_argument("--region", default="westeurope")
    parser.add_argument("--api-key", default=None, help="default: a random key")
    parser.add_argument("--auth", choices=AUTH_MODES, default=AUTH_MODES[0])
    parser.add_argument("--queue-seconds", type=float, default=0.0)
    parser.add_argument("--execution-seconds", type=float, default=0.0)
    parser.add_argument("--transient-error-rate", type=float, default=0.0)
    parser.add_argument("--never-finish", action="store_true")
    parser.add_argument("--fail-jobs", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND to run with it")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        standin = QuantumStandIn(
            region=args.region,
            port=args.port,
            cert_dir=args.data,
            api_key=args.api_key,
            auth=args.auth,
            queue_seconds=args.queue_seconds,
            execution_seconds=args.execution_seconds,
            transient_error_rate=args.transient_error_rate,
            never_finish=args.never_finish,
            fail_jobs=args.fail_jobs,
            seed=args.seed,
        )
    except ValueError as error:
        parser.error(str(error))
    with standin:
        if command:
            sys.exit(run_with(standin, command))
        ready = {
            "connection_string": standin.connection_string,
            "workspace_settings": standin.workspace_settings(),
            "env": standin.env(),
            "control_url": standin.control_url,
        }
        print(json.dumps(ready), flush=True)
        stop.wait()


def run_with(standin: QuantumStandIn, command: list[str]) -> int:
    """Run `command` against the stand-in; its exit code (128 + n when signal n ended it)."""
    env = {**os.environ, **standin.env(), **standin.workspace_settings()}
    child = subprocess.Popen(command, env=env)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, _: child.send_signal(received))
    code = child.wait()
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    main()
