"""The client's address as the platform uses it (login lockout, throttles, their logs).

``REMOTE_ADDR`` is the address of whoever opened the TCP connection: behind a reverse proxy
or load balancer that is the proxy, the same for every user. Operators list their proxies in
``INNOLINK_TRUSTED_PROXIES`` (addresses or networks, comma-separated); only when the request
comes from one of them is ``X-Forwarded-For`` read, right to left, skipping trusted proxies,
and the first other address is the client. Without the setting the header is ignored, so a
client cannot choose its own address by sending it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "INNOLINK_TRUSTED_PROXIES", ()) or ()))


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in n for n in networks)


def client_ip(request) -> str:
    """The client's address (also django-axes' ``AXES_CLIENT_IP_CALLABLE``).

    Examples (``INNOLINK_TRUSTED_PROXIES=10.0.0.0/8``):
        REMOTE_ADDR 10.0.0.5, X-Forwarded-For "203.0.113.7, 10.0.0.9"  ->  203.0.113.7
        REMOTE_ADDR 198.51.100.2 (not a proxy), any X-Forwarded-For    ->  198.51.100.2
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_proxies()
    current = _address(remote)
    if not networks or not _trusted(current, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: trust nothing further left
        current = address
        if not _trusted(address, networks):
            return str(address)
    return str(current) if current is not None else remote
