"""HTTP triggers of a folder-per-function app served by devhost (tests/devhost/apps/http_app)."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from devhost_testkit import APPS_DIR, DevHost, http

HTTP_APP = APPS_DIR / "http_app"


def test_host_status_reports_running(http_host: DevHost) -> None:
    res = http_host.host_status()
    assert res.status == 200
    assert res.json()["state"] == "Running"


def test_route_parameter(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/items/abc-123"))
    assert res.status == 200, res.text
    assert res.json() == {"function": "items", "id": "abc-123"}


def test_optional_route_parameter_present(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/opt/42"))
    assert res.status == 200, res.text
    assert res.json() == {"function": "optional", "id": "42"}


def test_optional_route_parameter_absent(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/opt"))
    assert res.status == 200, res.text
    assert res.json() == {"function": "optional", "id": None}


def test_int_constraint_matches_digits(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/n/42"))
    assert res.status == 200, res.text
    # Route values reach Python functions as strings, as in Azure Functions.
    assert res.json() == {"function": "typed", "n": "42"}


def test_int_constraint_mismatch_is_404(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/n/forty-two"))
    assert res.status == 404, res.text


def test_catch_all_parameter_keeps_slashes(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/files/a/b/c.txt"))
    assert res.status == 200, res.text
    assert res.json() == {"function": "catch_all", "rest": "a/b/c.txt"}


def test_default_route_is_folder_name_and_allows_any_method(http_host: DevHost) -> None:
    for method in ("GET", "POST", "DELETE", "PATCH"):
        res = http(method, http_host.url("api/default_route"))
        assert res.status == 200, (method, res.text)
        body = res.json()
        assert body["function"] == "default_route"
        assert body["method"] == method


def test_request_url_is_absolute(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/default_route?q=1"))
    assert res.status == 200, res.text
    assert res.json()["url"] == http_host.url("api/default_route?q=1")


def test_method_not_in_methods_list_is_405(http_host: DevHost) -> None:
    assert http("POST", http_host.url("api/items/1")).status == 405
    assert http("DELETE", http_host.url("api/echo")).status == 405
    assert http("GET", http_host.url("api/echo")).status == 405


def test_query_headers_and_json_body_reach_the_function(http_host: DevHost) -> None:
    res = http(
        "POST",
        http_host.url("api/echo?x=1&y=two%20words"),
        json_body={"a": [1, 2], "b": "ü"},
        headers={"X-Test-Header": "hello-header"},
    )
    assert res.status == 200, res.text
    body = res.json()
    assert body["method"] == "POST"
    assert body["params"] == {"x": "1", "y": "two words"}
    assert body["header"] == "hello-header"
    assert body["json"] == {"a": [1, 2], "b": "ü"}


def test_raw_body_reaches_the_function(http_host: DevHost) -> None:
    res = http(
        "PUT",
        http_host.url("api/echo"),
        body="plain text body",
        headers={"Content-Type": "text/plain"},
    )
    assert res.status == 200, res.text
    body = res.json()
    assert body["method"] == "PUT"
    assert body["body"] == "plain text body"
    assert body["json"] is None
    assert body["content_type"].startswith("text/plain")


def test_return_binding_carries_status_headers_and_body(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/made"))
    assert res.status == 201
    assert res.header("X-Made-By") == "made"
    assert (res.header("Content-Type") or "").startswith("text/plain")
    assert res.text == "made by $return"


def test_context_parameter(http_host: DevHost) -> None:
    first = http("GET", http_host.url("api/context-info"))
    second = http("GET", http_host.url("api/context-info"))
    assert first.status == second.status == 200, (first.text, second.text)
    a, b = first.json(), second.json()
    assert a["function_name"] == "context_info"
    uuid.UUID(a["invocation_id"])
    assert a["invocation_id"] != b["invocation_id"]
    assert Path(a["function_directory"]).resolve() == (HTTP_APP / "context_info").resolve()


def test_sync_function_runs_off_the_event_loop(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/sync-info"))
    assert res.status == 200, res.text
    assert res.json()["kind"] == "sync"
    assert res.json()["loop_in_thread"] is False


def test_async_function_runs_on_the_event_loop(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/async-info"))
    assert res.status == 200, res.text
    assert res.json()["kind"] == "async"
    assert res.json()["loop_in_thread"] is True


def meet_url(host: DevHost, group: str, parties: int, peek: bool = False) -> str:
    return host.url(f"api/meet-sync?group={group}&n={parties}" + ("&peek=1" if peek else ""))


def test_blocking_sync_functions_run_concurrently(http_host: DevHost) -> None:
    # Each call blocks its thread until all four are in the function at once.
    calls, group = 4, uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=calls) as pool:
        answers = list(
            pool.map(lambda _: http("GET", meet_url(http_host, group, calls)), range(calls))
        )
    assert [answer.json() for answer in answers] == [{"met": True}] * calls


def test_async_function_answers_while_sync_functions_block(http_host: DevHost) -> None:
    blocked, group = 3, uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=blocked) as pool:
        waiting = [
            pool.submit(http, "GET", meet_url(http_host, group, blocked + 1))
            for _ in range(blocked)
        ]
        while http("GET", meet_url(http_host, group, blocked + 1, peek=True)).json() != {
            "waiting": blocked
        }:
            time.sleep(0.01)
        fast = http("GET", http_host.url("api/async-info"))
        assert fast.status == 200
        assert not any(call.done() for call in waiting)
        assert http("GET", meet_url(http_host, group, blocked + 1)).json() == {"met": True}
        assert [call.result().json() for call in waiting] == [{"met": True}] * blocked


@pytest.mark.parametrize(
    ("route", "secret", "exc_name"),
    [
        ("api/boom-sync", "secret-kaboom-sync-4242", "ValueError"),
        ("api/boom-async", "secret-kaboom-async-4343", "KeyError"),
    ],
)
def test_exception_is_500_without_details(
    http_host: DevHost, route: str, secret: str, exc_name: str
) -> None:
    res = http("GET", http_host.url(route))
    assert res.status == 500
    assert "Traceback" not in res.text
    assert secret not in res.text
    assert exc_name not in res.text
    assert "__init__.py" not in res.text
    # ...and the host keeps serving.
    assert http("GET", http_host.url("api/items/after-error")).status == 200


def test_shared_package_absolute_import(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/shared-abs/ada"))
    assert res.status == 200, res.text
    assert res.json() == {"greeting": "hello, ada", "shout": "ADA!"}


def test_shared_package_relative_import(http_host: DevHost) -> None:
    res = http("GET", http_host.url("api/shared-rel/bob"))
    assert res.status == 200, res.text
    assert res.json() == {"greeting": "hello, bob", "shout": "BOB!"}


def test_unknown_route_is_404(http_host: DevHost) -> None:
    assert http("GET", http_host.url("api/no-such-function")).status == 404
    assert http("GET", http_host.url("api/items")).status == 404
    assert http("GET", http_host.url("items/1")).status == 404
    assert http("GET", http_host.url("no-prefix-at-all")).status == 404
