"""The dashboard renders from each of its URLs: every file its page names resolves."""

from __future__ import annotations

import http.client
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from api_testkit import Api, LinkedFiles
from devhost_testkit import http as http_get

PAGE_URLS = ["/api/dashboard", "/api/dashboard/", "/api/dashboard/index.html"]


@pytest.mark.parametrize("path", PAGE_URLS)
def test_the_page_is_served(anonymous: Api, path: str) -> None:
    answer = anonymous.request("GET", path)
    assert answer.status == 200, answer.text
    assert answer.header("Content-Type").startswith("text/html")
    assert "<title>qjobs dashboard</title>" in answer.text


@pytest.mark.parametrize("path", PAGE_URLS)
def test_every_file_the_page_names_resolves(anonymous: Api, path: str) -> None:
    page_url = anonymous.host.url(path)
    parser = LinkedFiles()
    parser.feed(anonymous.request("GET", page_url).text)
    assert len(parser.urls) == 2, parser.urls
    for url in parser.urls:
        answer = http_get("GET", urljoin(page_url, url))
        assert answer.status == 200, f"{url} from {path}: {answer.status}"
        assert answer.header("Content-Type").startswith(("text/javascript", "text/css"))


class _Links(HTMLParser):
    """The `href` of every link a page names."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def redirect_of(url: str) -> tuple[int, str]:
    """The status and Location of one GET, the redirect not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request("GET", parts.path)
        answer = connection.getresponse()
        return answer.status, answer.getheader("Location") or ""
    finally:
        connection.close()


@pytest.mark.parametrize(("path", "to"), [("/", "/api/"), ("/api", "/api/")])
def test_the_roots_lead_to_the_api_page(anonymous: Api, path: str, to: str) -> None:
    status, location = redirect_of(anonymous.host.url(path))
    assert status in (302, 308), status
    assert urljoin(anonymous.host.url(path), location) == anonymous.host.url(to)


def test_the_api_page_links_the_dashboard_and_the_api_description(anonymous: Api) -> None:
    page_url = anonymous.host.url("/api/")
    answer = anonymous.request("GET", page_url)
    assert answer.status == 200, answer.text
    assert answer.header("Content-Type").startswith("text/html")
    links = _Links()
    links.feed(answer.text)
    resolved = {urljoin(page_url, href) for href in links.hrefs}
    assert anonymous.host.url("/api/dashboard/") in resolved
    assert anonymous.host.url("/api/openapi.json") in resolved
    for url in resolved:
        assert http_get("GET", url).status == 200, url


def test_the_page_has_a_favicon(anonymous: Api) -> None:
    answer = anonymous.request("GET", "/api/dashboard/favicon.svg")
    assert answer.status == 200
    assert answer.header("Content-Type").startswith("image/svg+xml")
    assert 'rel="icon"' in anonymous.request("GET", "/api/dashboard").text


def test_an_unknown_path_under_the_api_is_still_404(anonymous: Api) -> None:
    assert anonymous.request("GET", "/api/nothing-here").status == 404
