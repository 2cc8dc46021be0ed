"""The Python and shell examples of README.md and docs/ run against a running qjobs.

Each page's `<!-- run -->` examples run in order (one Python namespace, one bash session per
page) with the documented URL and development key replaced by this suite's host and a key it
accepts; where a page shows an example's output, the output must match it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_testkit import KEYS
from devhost_testkit import REPO_ROOT, DevHost
from doc_examples import (
    BashSession,
    PythonSession,
    documentation_files,
    for_this_host,
    output_matches,
    read_page,
    shell_env,
)

PAGES_WITH_EXAMPLES = [p for p in documentation_files() if read_page(p).runnable()]


@pytest.fixture
def in_tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.mark.parametrize(
    "path", PAGES_WITH_EXAMPLES, ids=[str(p.relative_to(REPO_ROOT)) for p in PAGES_WITH_EXAMPLES]
)
def test_the_page_examples_run_and_print_what_the_page_shows(
    path: Path, api_host: DevHost, in_tmp_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, key = f"{api_host.base_url}/api", KEYS["alice"]
    env = shell_env(url, key)
    monkeypatch.setenv("QJOBS_URL", url)
    monkeypatch.setenv("QJOBS_API_KEY", key)
    python, bash = PythonSession(), BashSession(in_tmp_dir, env)
    try:
        for example in read_page(path).runnable():
            source = for_this_host(example.fence.body, url, key)
            session = python if example.fence.language == "python" else bash
            output = session.run(source, example.where)
            if example.expected_output is not None:
                expected = for_this_host(example.expected_output, url, key)
                assert output_matches(expected, output), (
                    f"{example.where} printed\n{output}\nwhere the page shows\n{expected}"
                )
    finally:
        bash.close()
