"""The API reference in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) renders every operation of the OpenAPI document from this origin alone, and
"Try it out" with an API key gets the targets. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import KEYS
from devhost_testkit import REPO_ROOT, DevHost

from shared.openapi import openapi_document

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
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
expect = playwright_api.expect


def operation_count() -> int:
    """The document's operations: its paths' and its webhooks' (Swagger UI shows both)."""
    document = json.loads(openapi_document())
    items = [*document["paths"].values(), *document.get("webhooks", {}).values()]
    return sum(1 for item in items for method in item if method in METHODS)


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
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
    page.goto(api_host.url("/api/docs"))
    yield page
    context.close()


def test_the_page_renders_every_operation_from_this_origin(page: Any, api_host: DevHost) -> None:
    expect(page.locator(".opblock[id^=operations-]")).to_have_count(
        operation_count(), timeout=WAIT_MS
    )
    expect(page.locator(".info .title")).to_contain_text("qjobs")
    assert all(url.startswith(api_host.base_url) for url in page.requests), page.requests
    assert page.problems == []


def test_try_it_out_with_the_dev_key_lists_the_targets(page: Any, api_host: DevHost) -> None:
    page.click("button.authorize")
    modal = page.locator(".modal-ux")
    scheme = modal.locator(".auth-container").filter(has_text="x-api-key")
    scheme.locator("input").fill(KEYS["alice"])
    scheme.locator("button.authorize").click()
    scheme.locator("button.btn-done").click()

    operation = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path[data-path='/targets']")
    )
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200", timeout=WAIT_MS)
    expect(operation.locator(".live-responses-table")).to_contain_text("local.simulator")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs-try-it-out.png"), full_page=True)
    assert all(url.startswith(api_host.base_url) for url in page.requests), page.requests
    assert page.problems == []
