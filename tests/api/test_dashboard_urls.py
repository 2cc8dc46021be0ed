"""The dashboard renders from each of its URLs: every file its page names resolves."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from api_testkit import Api
from devhost_testkit import http

PAGE_URLS = ["/api/dashboard", "/api/dashboard/", "/api/dashboard/index.html"]


class LinkedFiles(HTMLParser):
    """The `src` of scripts and the `href` of stylesheets a page names."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and named.get("src"):
            self.urls.append(named["src"] or "")
        if tag == "link" and named.get("rel") == "stylesheet" and named.get("href"):
            self.urls.append(named["href"] or "")


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
        answer = http("GET", urljoin(page_url, url))
        assert answer.status == 200, f"{url} from {path}: {answer.status}"
        assert answer.header("Content-Type").startswith(("text/javascript", "text/css"))
