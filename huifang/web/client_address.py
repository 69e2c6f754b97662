"""The client address of an HTTP request: the peer, unless the peer is one of the configured
trusted proxies — then the nearest address in X-Forwarded-For that is not a trusted proxy.
A client cannot choose its address by sending the header itself (docs/security.md)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

Network = IPv4Network | IPv6Network
UNKNOWN = "-"


@lru_cache(maxsize=32)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted: Sequence[Network]) -> str:
    if not peer:
        return UNKNOWN
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    nearest = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ip_address(hop)
        except ValueError:
            return nearest  # garbage: believe only the proxy that passed it on
        if not _trusted(hop, trusted):
            return hop
        nearest = hop
    return nearest


def request_client(connection: HTTPConnection, proxies: Sequence[str]) -> str:
    """`client_address` of a Starlette/FastAPI request, with settings.trusted_proxies."""
    peer = connection.client.host if connection.client else None
    return client_address(peer, connection.headers.get("x-forwarded-for"),
                          trusted_networks(tuple(proxies)))
