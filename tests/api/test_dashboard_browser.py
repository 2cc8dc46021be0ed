"""The dashboard in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) loads the page from devhost, enters a key, submits the seed's job, sees it
succeed with its two subsets, cancels a long job. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import KEYS, hard_partition
from devhost_testkit import REPO_ROOT, DevHost

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (requirements-dev.txt has it)"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "no Chromium on PATH: install Debian's `chromium` (scripts/test does so as root)",
        allow_module_level=True,
    )

SCREENSHOTS = REPO_ROOT / "test-artifacts"
WAIT_MS = 60_000
expect = playwright_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, api_host: DevHost) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    page.requests = []
    page.problems = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(api_host.url("/api/dashboard"))
    page.fill("#api-key", KEYS["alice"])
    page.click("#login button[type=submit]")
    expect(page.locator("#app")).to_be_visible()
    yield page
    context.close()


def submit(page: Any, kind: str, fields: dict[str, Any], name: str) -> None:
    page.select_option("#new-kind", kind)
    page.fill("#new-fields", json.dumps(fields))
    page.fill("#new-name", name)
    page.click("#submit-job")


def test_key_stays_in_session_storage_and_out_of_urls(page: Any, api_host: DevHost) -> None:
    assert page.evaluate("sessionStorage.getItem('qjobs.apiKey')") == KEYS["alice"]
    assert page.evaluate("localStorage.length") == 0
    assert all(KEYS["alice"] not in url for url in page.requests)
    assert page.input_value("#api-key") == ""


def test_seed_job_succeeds_and_shows_its_two_subsets(page: Any, api_host: DevHost) -> None:
    submit(page, "number_partitioning", {"weights": [5, 11, 8, 7, 1, 1]}, "browser-seed")
    expect(page.locator("#detail-status")).to_have_text("succeeded", timeout=WAIT_MS)
    expect(page.locator(".subset")).to_have_count(2)
    expect(page.locator(".difference")).to_have_text("difference 1 (optimal)")
    chips = sorted(int(c) for c in page.locator(".subset .chip").all_inner_texts())
    assert chips == [1, 1, 5, 7, 8, 11]
    expect(page.locator("#detail-input")).to_contain_text("11")
    row = page.locator("#jobs tbody tr", has_text="browser-seed").first
    expect(row.locator(".status")).to_have_text("succeeded", timeout=WAIT_MS)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-seed.png"), full_page=True)
    assert all(url.startswith(api_host.base_url) for url in page.requests)
    assert page.problems == []


def test_circuit_result_is_a_histogram(page: Any) -> None:
    page.select_option("#new-kind", "circuit")  # the form shows the Bell example
    page.fill("#new-name", "browser-bell")
    page.click("#submit-job")
    expect(page.locator("#detail-status")).to_have_text("succeeded", timeout=WAIT_MS)
    bars = page.locator("svg.histogram rect")
    expect(bars.first).to_be_visible()
    outcomes = {bars.nth(i).get_attribute("data-outcome") for i in range(bars.count())}
    assert outcomes <= {"00", "11"}
    page.screenshot(path=str(SCREENSHOTS / "dashboard-circuit.png"), full_page=True)


def test_long_job_is_cancelled_from_its_page(page: Any) -> None:
    fields = {"weights": hard_partition(), "time_limit": 30}
    submit(page, "number_partitioning", fields, "browser-long")
    cancel = page.locator("#cancel-job")
    expect(cancel).to_be_visible(timeout=WAIT_MS)
    cancel.click()
    expect(page.locator("#detail-status")).to_have_text("cancelled", timeout=WAIT_MS)
    expect(page.locator("#detail-error")).to_contain_text("cancelled")
    expect(cancel).to_be_hidden()
    assert page.problems == []


def test_bad_fields_show_the_problem_in_one_message(page: Any) -> None:
    submit(page, "number_partitioning", {"weights": [5, -1]}, "browser-bad")
    expect(page.locator("#message")).to_contain_text("Invalid request")
    expect(page.locator("#message")).to_contain_text("/weights/1")


@pytest.mark.parametrize("path", ["/api/dashboard/", "/api/dashboard/index.html"])
def test_the_page_works_from_its_folder_urls(browser: Any, api_host: DevHost, path: str) -> None:
    """Its script and style load, and its API calls reach /api, from either URL."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(api_host.url(path))
    page.fill("#api-key", KEYS["alice"])
    page.click("#login button[type=submit]")
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#filter-target option[value='local.simulator']")).to_have_count(
        1, timeout=WAIT_MS
    )
    assert problems == []
    context.close()
