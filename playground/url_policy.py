"""Which base URLs a browser user may add (SSRF guard for hosted deployments).

Off by default: locally, pointing the playground at any server is the point. A deployment sets
`PLAYGROUND_ALLOWED_HOSTS` (comma-separated host names) and/or `PLAYGROUND_BLOCK_PRIVATE_NETWORKS=1`.
The check runs on the parsed URL object the client will connect with, and on every address the
host resolves to, so `::ffff:a9fe:a9fe` is seen as 169.254.169.254.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _private(addr) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_unspecified


def check_base_url(url: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """None when the URL may be used, else a sentence saying why not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "The base URL must start with http:// or https:// and name a host."
    if parts.username or parts.password:
        return "Put keys in the key field, not in the URL."
    host = parts.hostname.lower()
    allowed = [h.strip().lower() for h in environ.get("PLAYGROUND_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if allowed and host not in allowed:
        return f"This deployment only allows these hosts: {', '.join(allowed)}."
    if environ.get("PLAYGROUND_BLOCK_PRIVATE_NETWORKS") == "1":
        addresses = _addresses(host)
        if not addresses:
            return f"Cannot resolve {host}."
        if any(_private(a) for a in addresses):
            return "This deployment does not allow private, loopback or link-local addresses."
    return None
