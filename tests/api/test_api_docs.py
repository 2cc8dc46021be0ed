"""GET /api/docs: the API reference's page and files, from each of its URLs, under a strict
Content-Security-Policy; any other file is a 404 problem."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from api_testkit import Api, LinkedFiles
from devhost_testkit import http

PAGE_URLS = ["/api/docs", "/api/docs/", "/api/docs/index.html"]


@pytest.mark.parametrize("path", PAGE_URLS)
def test_the_page_is_served_without_a_key(anonymous: Api, path: str) -> None:
    answer = anonymous.request("GET", path)
    assert answer.status == 200, answer.text
    assert answer.header("Content-Type").startswith("text/html")
    assert "<title>qjobs API reference</title>" in answer.text


@pytest.mark.parametrize("path", PAGE_URLS)
def test_every_file_the_page_names_resolves_on_this_origin(anonymous: Api, path: str) -> None:
    page_url = anonymous.host.url(path)
    parser = LinkedFiles()
    parser.feed(anonymous.request("GET", page_url).text)
    assert len(parser.urls) == 4, parser.urls
    for url in parser.urls:
        assert "//" not in url, url
        answer = http("GET", urljoin(page_url, url))
        assert answer.status == 200, f"{url} from {path}: {answer.status}"
        assert answer.header("Content-Type").startswith(("text/javascript", "text/css"))


def test_swagger_ui_is_version_5_which_renders_openapi_3_1(anonymous: Api) -> None:
    answer = anonymous.request("GET", "/api/docs/swagger-ui-bundle.js")
    assert answer.status == 200
    assert re.search(r'PACKAGE_VERSION:"5\.\d+\.\d+"', answer.text)


def test_the_page_forbids_anything_but_this_origin(anonymous: Api) -> None:
    policy = anonymous.request("GET", "/api/docs").header("Content-Security-Policy")
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert "unsafe" not in policy


def test_another_file_is_a_404_problem(anonymous: Api) -> None:
    answer = anonymous.request("GET", "/api/docs/swagger-initializer.js")
    assert answer.status == 404
    assert answer.header("Content-Type").startswith("application/problem+json")
