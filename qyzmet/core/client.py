"""The client's address, the one rule every interface uses.

`X-Forwarded-For` is believed only when the direct peer (`REMOTE_ADDR`) is one of the reverse
proxies named in `QYZMET_TRUSTED_PROXIES`; then the client is the right-most address in it that
is not itself a trusted proxy (each proxy appends the address it got the request from, so the
addresses left of the first untrusted one may be anything the client wrote). Otherwise the
client is the direct peer. Per-client limits count this address, so behind a proxy they count
people, not the proxy, and a client cannot pick its own address by sending the header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from qyzmet.core.crypto import keyed_hash

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(names: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(name, strict=False) for name in names)


def _parse(text: str) -> Address | None:
    """An address as proxies write it: bare, `[v6]` or `[v6]:port`, or `v4:port`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_trusted(*, address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(request: HttpRequest, /) -> str:
    """The address of whoever sent `request` (see the module's rule); '' when unknown."""
    peer_text = str(request.META.get("REMOTE_ADDR", ""))
    peer = _parse(peer_text)
    proxies = _networks(tuple(settings.QYZMET_TRUSTED_PROXIES))
    if peer is None or not proxies or not address_trusted(address=peer, proxies=proxies):
        return peer_text
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    client = peer
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse(hop)
        if address is None:
            break  # garbage: the nearest hop a trusted proxy vouched for is the last we know
        client = address
        if not address_trusted(address=address, proxies=proxies):
            break
    return str(client)


def client_fingerprint(client: str) -> str:
    """Client addresses are personal data too: kept only as a keyed hash ('' for none)."""
    return keyed_hash(client, purpose="client") if client else ""
