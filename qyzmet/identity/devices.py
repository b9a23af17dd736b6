"""What a person is shown about a device or a place that asks on their behalf: a short label of
the browser from its User-Agent, and the network of a client address. Pure functions: a
phone approving a QR sign-in compares them with what it knows, so a phished code (a stranger's
browser, another network) is recognisable.

The User-Agent is read simply (the first known product, most specific first) because the label
is a hint for a person, never a decision; an address is shown only as its network (/24 for IPv4,
/48 for IPv6), which is what an operator or an office shares and no single subscriber."""

from __future__ import annotations

import ipaddress
import re

# (pattern, name), most specific first: Edge, Opera and Yandex say "Chrome" too, Chrome says
# "Safari", and every browser on an iPhone says "Safari".
BROWSERS: tuple[tuple[str, str], ...] = (
    (r"\bEdgA?/", "Edge"),
    (r"\bOPR/|\bOpera\b", "Opera"),
    (r"\bYaBrowser/", "Yandex Browser"),
    (r"\bSamsungBrowser/", "Samsung Internet"),
    (r"\bFirefox/|\bFxiOS/", "Firefox"),
    (r"\bCriOS/|\bChrome/|\bChromium/", "Chrome"),
    (r"\bVersion/[\d.]+.*\bSafari/", "Safari"),
    (r"\bcurl/", "curl"),
    (r"^python-requests/|^Python-urllib/", "Python"),
)
SYSTEMS: tuple[tuple[str, str], ...] = (
    (r"\biPhone\b", "iPhone"),
    (r"\biPad\b", "iPad"),
    (r"\bAndroid\b", "Android"),
    (r"\bWindows\b", "Windows"),
    (r"\bCrOS\b", "ChromeOS"),
    (r"\bMac OS X\b|\bMacintosh\b", "macOS"),
    (r"\bLinux\b", "Linux"),
)
MAX_AGENT = 500  # longer headers are read only this far


def _first(patterns: tuple[tuple[str, str], ...], agent: str) -> str:
    return next((name for pattern, name in patterns if re.search(pattern, agent)), "")


def browser_label(user_agent: str) -> str:
    """ "Chrome · Windows", "Safari · iPhone", "Firefox", "Android"; '' when nothing is known."""
    agent = (user_agent or "")[:MAX_AGENT]
    return " · ".join(part for part in (_first(BROWSERS, agent), _first(SYSTEMS, agent)) if part)


def network_label(address: str) -> str:
    """The network of `address`: "203.0.113.0/24", "2001:db8:1::/48"; '' for no address."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))
