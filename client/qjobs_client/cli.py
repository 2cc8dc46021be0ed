"""`qjobs`: the job API from a shell.

Output is JSON with `--json` or when stdout is not a terminal (a script reads nothing else);
on a terminal it is a short readable form, and `--wait` shows live progress on stderr.
Errors are one line on stderr, from the problem's title and detail; the exit code says what
happened (see EXIT_CODES).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .display import result_rows, status_rows
from .errors import (
    ApiError,
    Conflict,
    ConnectionFailed,
    InvalidRequest,
    JobCancelled,
    JobError,
    NotFound,
    QJobsError,
    Unauthorized,
    WaitTimeout,
)
from .models import KINDS, JobStatus
from .sync_client import Client, Job

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 3
EXIT_TIMEOUT = 4
EXIT_AUTH = 5
EXIT_NOT_FOUND = 6
EXIT_CONFLICT = 7
EXIT_UNAVAILABLE = 8
EXIT_CODES = {
    EXIT_OK: "succeeded (or the request was done)",
    EXIT_FAILED: "the job failed",
    EXIT_BAD_INPUT: "bad input: the command line, the job file, or a 400/413/415/422 answer",
    EXIT_CANCELLED: "the job was cancelled",
    EXIT_TIMEOUT: "--timeout passed before the job was final (it goes on running)",
    EXIT_AUTH: "no API key, or one qjobs does not accept (401)",
    EXIT_NOT_FOUND: "no such job for this key (404)",
    EXIT_CONFLICT: "the job is already final (409 on cancel)",
    EXIT_UNAVAILABLE: "qjobs cannot be reached, or stays busy (429/503) after the retries",
}
_EXIT_BY_STATE = {"succeeded": EXIT_OK, "failed": EXIT_FAILED, "cancelled": EXIT_CANCELLED}


class UsageError(Exception):
    """A command line or job file that cannot be sent."""


class Output:
    """Where answers go: JSON for scripts, or a readable form on a terminal."""

    def __init__(self, machine: bool) -> None:
        self.machine = machine

    def document(self, value: Any, human: Callable[[], str]) -> None:
        print(json.dumps(value) if self.machine else human())


# --------------------------------------------------------------------------- the job to submit


def _integers(text: str, option: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a comma-separated list of integers") from None


def _json_value(text: str, option: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise UsageError(f"{option} is not JSON: {error}") from None


def job_document(args: argparse.Namespace) -> dict[str, Any]:
    """The job to submit: a JSON file (or stdin), or --kind and its fields' options."""
    if args.file is not None and args.kind is not None:
        raise UsageError("give a job FILE or --kind, not both")
    if args.file is not None:
        try:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        except OSError as error:
            raise UsageError(f"cannot read {args.file}: {error.strerror}") from None
        document = _json_value(text, "the job file" if args.file != "-" else "stdin")
        if not isinstance(document, dict):
            raise UsageError("the job must be one JSON object")
    elif args.kind is not None:
        document = {"kind": args.kind, **kind_fields(args)}
    else:
        raise UsageError("give a job FILE (- for stdin) or --kind")
    if args.target:
        document["target"] = args.target
    if args.name:
        document["name"] = args.name
    return document


def kind_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if args.kind == "number_partitioning":
        if args.weights is None:
            raise UsageError("--kind number_partitioning needs --weights, e.g. 5,11,8,7,1,1")
        fields["weights"] = _integers(args.weights, "--weights")
    elif args.kind in ("ising", "pubo"):
        if args.terms is None:
            raise UsageError(
                f'--kind {args.kind} needs --terms, e.g. \'[{{"c": -1, "ids": [0, 1]}}]\''
            )
        fields["terms"] = _json_value(args.terms, "--terms")
    else:
        if args.source is None:
            raise UsageError(f"--kind {args.kind} needs --source FILE (- for stdin)")
        try:
            fields["source"] = (
                sys.stdin.read() if args.source == "-" else Path(args.source).read_text("utf-8")
            )
        except OSError as error:
            raise UsageError(f"cannot read {args.source}: {error.strerror}") from None
        if args.entry:
            fields["entry"] = args.entry
    for option, field in (("shots", "shots"), ("seed", "seed"), ("time_limit", "time_limit")):
        if getattr(args, option) is not None:
            fields[field] = getattr(args, option)
    return fields


# --------------------------------------------------------------------------- readable forms


def _rows(rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows if value != "")


def _table(statuses: Sequence[JobStatus]) -> str:
    if not statuses:
        return "no jobs"
    rows = [("ID", "NAME", "KIND", "TARGET", "STATUS", "CREATED")] + [
        (s.id, s.name or "", s.kind, s.target, s.status, s.created) for s in statuses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


# --------------------------------------------------------------------------- the commands


def _finish(job: Job, out: Output, timeout: float | None) -> int:
    """Wait for the job (progress on a terminal), print its final status (+ result)."""
    final = job.wait(timeout=timeout, progress=sys.stderr.isatty() and not out.machine)
    document = final.to_json()
    rows = status_rows(final)
    if final.status == "succeeded":
        document["result"] = job.result()
        rows += result_rows(final.kind, document["result"])
    out.document(document, lambda: _rows(rows))
    return _EXIT_BY_STATE[final.status]


def cmd_submit(client: Client, args: argparse.Namespace, out: Output) -> int:
    if args.dry_run:
        fields = dict(job_document(args))
        kind, target = fields.pop("kind", None), fields.pop("target", None)
        estimate = client.estimate(kind, target=target, **fields)
        out.document(estimate, lambda: json.dumps(estimate, indent=2))
        return EXIT_OK
    job = client.submit_document(job_document(args))
    if args.wait:
        return _finish(job, out, args.timeout)
    out.document(job.last_status.to_json(), lambda: _rows(status_rows(job.last_status)))
    return EXIT_OK


def cmd_status(client: Client, args: argparse.Namespace, out: Output) -> int:
    status = client.job(args.id).last_status
    out.document(status.to_json(), lambda: _rows(status_rows(status)))
    return EXIT_OK


def cmd_wait(client: Client, args: argparse.Namespace, out: Output) -> int:
    return _finish(client.job(args.id), out, args.timeout)


def cmd_result(client: Client, args: argparse.Namespace, out: Output) -> int:
    job = client.job(args.id)
    progress = sys.stderr.isatty() and not out.machine
    result = job.result(timeout=args.timeout, progress=progress)
    if args.plot:
        job.plot(args.plot)
        print(f"qjobs: wrote the plot to {Path(args.plot).resolve()}", file=sys.stderr)
    document = {"id": job.id, "kind": job.kind, "status": job.state, "result": result}
    out.document(document, lambda: _rows(result_rows(job.kind, result)))
    return EXIT_OK


def cmd_cancel(client: Client, args: argparse.Namespace, out: Output) -> int:
    """Ask for the cancel, then print the job's status as it is after the request, with
    `"cancel": "requested"` (the job ends as cancelled shortly after, unless it ends first)."""
    job = client.job(args.id)
    job.cancel()
    status = job.status()
    document = {**status.to_json(), "cancel": "requested"}
    rows = [*status_rows(status), ("cancel", "requested")]
    out.document(document, lambda: _rows(rows))
    return EXIT_OK


def cmd_list(client: Client, args: argparse.Namespace, out: Output) -> int:
    page_size = min(args.limit, 100) if args.limit else None
    jobs = client.jobs(
        status=args.status,
        target=args.target,
        name=args.name,
        page_size=page_size,
        tags=args.tag or (),
        created_after=args.created_after,
        created_before=args.created_before,
        ids=args.ids.split(",") if args.ids else None,
    )
    statuses = [job.last_status for job in itertools.islice(jobs, args.limit)]
    # A listed job is a summary: what it does not have (no name, not started) is left out.
    listed = [{k: v for k, v in s.to_json().items() if v is not None} for s in statuses]
    out.document({"jobs": listed}, lambda: _table(statuses))
    return EXIT_OK


def cmd_targets(client: Client, args: argparse.Namespace, out: Output) -> int:
    targets = client.targets()
    rows = [(t.name, f"{t.location}, {t.availability}: {', '.join(t.kinds)}") for t in targets]
    out.document({"targets": [t.to_json() for t in targets]}, lambda: _rows(rows))
    return EXIT_OK


def cmd_webhook_secret(client: Client, args: argparse.Namespace, out: Output) -> int:
    secret = client.rotate_webhook_secret() if args.rotate else client.webhook_secret()
    out.document({"secret": secret}, lambda: _rows([("secret", secret)]))
    return EXIT_OK


# --------------------------------------------------------------------------- the parser


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--url",
        default=argparse.SUPPRESS,
        help="the API's base URL (default: $QJOBS_URL or http://127.0.0.1:7071/api)",
    )
    common.add_argument(
        "--api-key", default=argparse.SUPPRESS, help="the API key (default: $QJOBS_API_KEY)"
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print JSON (the default when stdout is not a terminal)",
    )
    epilog = "exit codes:\n" + "\n".join(f"  {code}  {what}" for code, what in EXIT_CODES.items())
    main_parser = argparse.ArgumentParser(
        prog="qjobs",
        description="Submit and follow qjobs jobs.",
        parents=[common],
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main_parser.add_argument("--version", action="version", version=f"qjobs {__version__}")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    submit = commands.add_parser("submit", parents=[common], help="submit a job")
    submit.add_argument("file", nargs="?", metavar="FILE|-", help="the job as JSON (- for stdin)")
    submit.add_argument("--kind", choices=KINDS, help="build the job from options instead")
    submit.add_argument("--weights", help="number_partitioning: comma-separated integers")
    submit.add_argument("--terms", help='ising/pubo: JSON terms, [{"c": -1, "ids": [0, 1]}, ...]')
    submit.add_argument(
        "--source", metavar="FILE", help="circuit/qsharp: the program (- for stdin)"
    )
    submit.add_argument("--entry", help="qsharp: the entry expression, e.g. 'Main()'")
    submit.add_argument("--shots", type=int)
    submit.add_argument("--seed", type=int)
    submit.add_argument("--time-limit", type=float)
    submit.add_argument("--target", help="where to run it (see `qjobs targets`)")
    submit.add_argument("--name", help="a label for the job")
    submit.add_argument("--wait", action="store_true", help="wait and print the final status")
    submit.add_argument(
        "--dry-run",
        action="store_true",
        help="check the job and print its estimate (gates, shots, cost); submit nothing",
    )
    submit.add_argument("--timeout", type=float, help="with --wait: give up after SECONDS")
    submit.set_defaults(run=cmd_submit)

    for name, run, text in (
        ("status", cmd_status, "a job's status"),
        ("wait", cmd_wait, "wait until a job is final; print its status (and result)"),
        ("result", cmd_result, "a job's result (waits for it)"),
        ("cancel", cmd_cancel, "cancel a job"),
    ):
        command = commands.add_parser(name, parents=[common], help=text)
        command.add_argument("id", metavar="ID")
        if name in ("wait", "result"):
            command.add_argument("--timeout", type=float, help="give up after SECONDS")
        if name == "result":
            command.add_argument("--plot", metavar="PNG", help="also draw the result to this file")
        command.set_defaults(run=run)

    listing = commands.add_parser("list", parents=[common], help="your jobs, newest first")
    listing.add_argument("--status", help="comma-separated states, e.g. waiting,executing")
    listing.add_argument("--target")
    listing.add_argument("--name", help="names starting with this")
    listing.add_argument("--tag", action="append", help="jobs with this tag (repeat: all of them)")
    listing.add_argument("--created-after", help="created after this RFC 3339 date-time")
    listing.add_argument("--created-before", help="created before this RFC 3339 date-time")
    listing.add_argument("--ids", help="only these job ids (comma-separated, at most 100)")
    listing.add_argument("--limit", type=int, default=20, help="at most N jobs (default 20)")
    listing.set_defaults(run=cmd_list)

    targets = commands.add_parser("targets", parents=[common], help="the targets offered")
    targets.set_defaults(run=cmd_targets)

    secret = commands.add_parser(
        "webhook-secret", parents=[common], help="your webhook signing secret"
    )
    secret.add_argument(
        "--rotate", action="store_true", help="make a new one (the old one signs for 24 h more)"
    )
    secret.set_defaults(run=cmd_webhook_secret)
    return main_parser


def _exit_code(error: QJobsError) -> int:
    if isinstance(error, JobError):
        return EXIT_CANCELLED if isinstance(error, JobCancelled) else EXIT_FAILED
    if isinstance(error, WaitTimeout):
        return EXIT_TIMEOUT
    if isinstance(error, InvalidRequest):
        return EXIT_BAD_INPUT
    if isinstance(error, Unauthorized):
        return EXIT_AUTH
    if isinstance(error, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(error, Conflict):
        return EXIT_CONFLICT
    if isinstance(error, ApiError | ConnectionFailed):
        return EXIT_UNAVAILABLE
    return EXIT_FAILED


def _one_line(error: QJobsError) -> str:
    text = str(error)
    if isinstance(error, ApiError) and error.errors:
        text += " (at " + ", ".join(e.pointer or "/" for e in error.errors) + ")"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Output(machine=getattr(args, "json", False) or not sys.stdout.isatty())
    try:
        with Client(getattr(args, "url", None), getattr(args, "api_key", None)) as client:
            code: int = args.run(client, args, out)
            return code
    except UsageError as error:
        print(f"qjobs {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except QJobsError as error:
        print(f"qjobs: {_one_line(error)}", file=sys.stderr)
        return _exit_code(error)
    except KeyboardInterrupt:
        return 130
