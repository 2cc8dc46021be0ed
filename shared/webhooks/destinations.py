"""Which webhook URLs qjobs sends to: never into its own network.

Only https, no userinfo. A host written as an address, in any spelling `inet_aton` reads
(`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`), or named `localhost`, is checked at
submission; a host name is checked when sending, on every address it resolves to. Refused:
loopback, private (RFC 1918, IPv6 unique-local), link-local (cloud metadata endpoints),
CGNAT, multicast, unspecified and reserved addresses, and their IPv4-mapped IPv6 forms.
QJOBS_WEBHOOK_ALLOW_HOSTS (host names, addresses, CIDRs) lets local development send to such
hosts, over http too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2048
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


class RefusedDestination(ValueError):
    """A webhook URL or address qjobs does not send to; the message says why."""


@dataclass(frozen=True)
class AllowedHosts:
    """QJOBS_WEBHOOK_ALLOW_HOSTS: destinations allowed despite the rules (local development)."""

    names: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, setting: str) -> AllowedHosts:
        names: set[str] = set()
        networks = []
        for entry in (part.strip() for part in setting.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host spells, in any form `inet_aton` reads for IPv4 (decimal,
    hex, octal, fewer than four parts), or None for a host name."""
    host = host.rstrip(".")
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        pass
    if not host or not all(part for part in host.split(".")):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def refusal(address: IPAddress) -> str | None:
    """Why qjobs does not send to this address, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return refusal(mapped)
    checks = (
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_unspecified, "unspecified ('any')"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "shared (CGNAT)"),
        (isinstance(address, ipaddress.IPv4Address) and address in _THIS_NETWORK, "'this host'"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
    )
    return next((name for refused, name in checks if refused), None)


def check_address(address: IPAddress, allowed: AllowedHosts) -> None:
    reason = refusal(address)
    if reason is not None and not allowed.allows_address(address):
        raise RefusedDestination(f"{address} is a {reason} address; webhooks are not sent there.")


def check_addresses(addresses: Iterable[IPAddress], allowed: AllowedHosts) -> None:
    """Every address a host name resolved to must be one qjobs sends to."""
    for address in addresses:
        check_address(address, allowed)


def check_url(url: str, allowed: AllowedHosts) -> SplitResult:
    """The URL, split, when it is one qjobs may send to as written (its name's addresses are
    checked when sending); RefusedDestination otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedDestination(f"the URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise RefusedDestination(f"the URL cannot be read: {error}.") from None
    if not host:
        raise RefusedDestination("the URL has no host.")
    if "@" in parts.netloc:
        raise RefusedDestination("the URL may not carry a user name or password.")
    address = literal_address(host)
    host_allowed = allowed.allows_name(host) or (
        address is not None and allowed.allows_address(address)
    )
    if parts.scheme != "https" and not (parts.scheme == "http" and host_allowed):
        raise RefusedDestination("the URL must be https.")
    if host_allowed:
        return parts
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        raise RefusedDestination(f"{host} is this machine; webhooks are not sent there.")
    if address is not None:
        check_address(address, allowed)
    return parts
