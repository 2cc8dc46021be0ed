"""Webhook destinations: refused addresses in any spelling, and the local-development allow
list (QJOBS_WEBHOOK_ALLOW_HOSTS)."""

from __future__ import annotations

import ipaddress

import pytest

from shared.webhooks.destinations import (
    AllowedHosts,
    RefusedDestination,
    check_url,
    literal_address,
)

NOBODY = AllowedHosts()


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("169.254.169.254.", "169.254.169.254"),
    ],
)
def test_every_spelling_of_an_address_is_read_as_inet_aton_reads_it(
    host: str, address: str
) -> None:
    assert literal_address(host) == ipaddress.ip_address(address)


def test_a_host_name_is_no_address() -> None:
    assert literal_address("hooks.example.com") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://0x7f.1/",
        "https://[::ffff:10.0.0.1]/",
        "https://[2002:a00:1::]/",
        "https://100.127.255.255/",
        "https://[ff02::1]/",
        "https://localhost./",
        "http://hooks.example.com/",
        "https://u@hooks.example.com/",
        "https://hooks.example.com:99999/",
    ],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(RefusedDestination):
        check_url(url, NOBODY)


def test_public_https_urls_pass() -> None:
    assert check_url("https://hooks.example.com/qjobs", NOBODY).hostname == "hooks.example.com"
    assert check_url("https://8.8.8.8/", NOBODY).hostname == "8.8.8.8"


def test_the_allow_list_admits_its_hosts_and_networks_over_http_too() -> None:
    allowed = AllowedHosts.parse("127.0.0.0/8, receiver.test")
    assert check_url("http://127.0.0.1:9000/", allowed).port == 9000
    assert check_url("http://0x7f.1/", allowed).hostname == "0x7f.1"
    assert check_url("http://receiver.test/", allowed).hostname == "receiver.test"
    with pytest.raises(RefusedDestination):
        check_url("http://10.0.0.1/", allowed)
