"""The code examples of README.md and docs/: found, marked, run and checked.

Every `python` or `sh` fence is an example and carries a marker on the line before it:
`<!-- run -->` (the test suite runs it against a running qjobs) or `<!-- not run: <reason> -->`.
A fence marked `<!-- output -->` after a run example is what that example prints: it must match,
`...` standing for any text. The examples of one page run in order and share their state, as a
reader at one terminal would: one Python namespace and one bash session per page.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devhost_testkit import REPO_ROOT

EXAMPLE_LANGUAGES = {"python": "python", "py": "python", "sh": "sh", "bash": "sh", "shell": "sh"}
MARKER = re.compile(r"<!--\s*(run|output|not run:\s*(?P<reason>.*?))\s*-->")
FENCE = re.compile(r"^(?P<indent> *)(?P<ticks>```+)\s*(?P<info>[^`]*)$")

# What the examples say to a reader at `scripts/start`, and what the test suite's host is.
DOCUMENTED_URL = "http://127.0.0.1:7071/api"
DOCUMENTED_KEY = "qjobs-dev-key"


@dataclass
class Fence:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    body: str
    marker: str | None  # "run", "output", "not run" or None
    reason: str = ""


@dataclass
class Example:
    fence: Fence
    expected_output: str | None = None

    @property
    def where(self) -> str:
        return f"{self.fence.path.relative_to(REPO_ROOT)}:{self.fence.line}"


@dataclass
class Page:
    path: Path
    fences: list[Fence] = field(default_factory=list)

    @property
    def examples(self) -> list[Fence]:
        return [f for f in self.fences if f.language in EXAMPLE_LANGUAGES]

    def runnable(self) -> list[Example]:
        """The page's run examples, each with the output fence that follows it, if any."""
        examples: list[Example] = []
        for fence in self.fences:
            if fence.marker == "output":
                if not examples or examples[-1].expected_output is not None:
                    raise ValueError(f"{fence.path}:{fence.line}: an output with no run example")
                examples[-1].expected_output = fence.body
            elif fence.language in EXAMPLE_LANGUAGES and fence.marker == "run":
                examples.append(Example(fence))
        return examples


def documentation_files() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("**/*.md"))]


def read_page(path: Path) -> Page:
    page = Page(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, ticks = len(opening["indent"]), opening["ticks"]
        language = (opening["info"].split() or [""])[0].lower()
        body, j = [], i + 1
        while j < len(lines) and not lines[j].strip().startswith(ticks):
            body.append(lines[j][indent:])
            j += 1
        previous = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
        found = MARKER.fullmatch(previous.strip())
        marker = None if not found else found[1].split(":")[0]
        reason = (found["reason"] or "") if found else ""
        page.fences.append(Fence(path, i + 1, language, "\n".join(body) + "\n", marker, reason))
        i = j + 1
    return page


def for_this_host(text: str, url: str, api_key: str) -> str:
    return text.replace(DOCUMENTED_URL, url).replace(DOCUMENTED_KEY, api_key)


def output_matches(expected: str, actual: str) -> bool:
    """Whether `actual` is `expected`, each `...` standing for any text (line ends trimmed).

    A line of only `...` stands for any lines, or none.
    """

    def tidy(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.strip().splitlines())

    def line_pattern(line: str) -> str:
        return ".*?".join(re.escape(part) for part in line.split("..."))

    pattern = ""
    for line in tidy(expected).splitlines():
        if line == "...":  # any lines, or none
            pattern += "(?:\n.*?)?" if pattern else "(?:.*?\n)?"
        else:
            after_any_lines = pattern.endswith("\n)?")
            pattern += ("\n" if pattern and not after_any_lines else "") + line_pattern(line)
    return re.fullmatch(pattern, tidy(actual), re.DOTALL) is not None


class PythonSession:
    """One namespace for a page's Python examples, run in this process."""

    def __init__(self) -> None:
        self.namespace: dict[str, object] = {"__name__": "__doc_example__"}

    def run(self, source: str, where: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, where, "exec"), self.namespace)  # noqa: S102 - the docs' examples
        return out.getvalue()


class BashSession:
    """One bash process for a page's shell examples: variables and `cd` carry to the next one.

    A command that fails (pipefail included) fails the example, as `set -e` would, without
    ending the session; an example that expects a failure says so (`|| echo "exit $?"`).
    """

    END = "__doc_example_end__"
    FAILED = "__doc_example_failed__"

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.stderr_path = cwd / "bash-stderr.txt"
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr_path.open("w"),
        )
        self._send(f"set -o pipefail; trap 'echo \"{self.FAILED} $? $BASH_COMMAND\"' ERR\n")

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode())
        self.process.stdin.flush()

    def run(self, source: str, where: str, timeout: float = 120) -> str:
        self._send(source + f"\necho {self.END}\n")
        assert self.process.stdout is not None
        fd, received, end = self.process.stdout.fileno(), b"", f"{self.END}\n".encode()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while not received.endswith(end):
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"{where}: still running after {timeout} s")
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError(f"{where}: bash ended\n{self.stderr()}")
                received += chunk
        lines = received[: -len(end)].decode().splitlines(keepends=True)
        failures = [ln for ln in lines if ln.startswith(self.FAILED)]
        if failures:
            raise AssertionError(
                f"{where}: a command failed: {failures[0][len(self.FAILED) :].strip()}\n"
                f"stdout:\n{''.join(lines)}\nstderr:\n{self.stderr()}"
            )
        return "".join(lines)

    def stderr(self) -> str:
        return self.stderr_path.read_text()[-4000:]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._send("exit\n")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def shell_env(url: str, api_key: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "QJOBS_URL": url,
        "QJOBS_API_KEY": api_key,
    }
