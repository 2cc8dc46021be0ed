"""The documentation site builds cleanly, and every example in it says whether it runs.

`mkdocs build --strict` fails on any warning: a link to a missing page, a missing anchor, a
page left out of the navigation. tests/api/test_doc_examples.py runs the examples themselves.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from devhost_testkit import REPO_ROOT
from doc_examples import documentation_files, read_page


def test_the_site_builds_with_no_warning(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    assert "WARNING" not in build.stderr, build.stderr
    assert (tmp_path / "site" / "how-it-works" / "index.html").is_file()


def test_every_example_is_marked_run_or_not_run_with_a_reason() -> None:
    unmarked = [
        f"{fence.path.relative_to(REPO_ROOT)}:{fence.line}"
        for path in documentation_files()
        for fence in read_page(path).examples
        if fence.marker != "run" and not (fence.marker == "not run" and fence.reason)
    ]
    assert unmarked == []


def test_every_shown_output_follows_an_example_that_runs() -> None:
    for path in documentation_files():
        read_page(path).runnable()  # raises on an output fence with no run example before it


def test_the_how_it_works_page_draws_the_architecture_lifecycle_and_path_as_diagrams() -> None:
    fences = read_page(REPO_ROOT / "docs" / "how-it-works.md").fences
    kinds = [f.body.split()[0] for f in fences if f.language == "mermaid"]
    assert kinds == ["flowchart", "stateDiagram-v2", "sequenceDiagram"]


def test_the_readme_is_a_front_page() -> None:
    assert len((REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200
