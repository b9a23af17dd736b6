"""The one place that reads the environment.

Every setting that may differ between machines comes from here, with a typed reader and a default
that is safe for the embedded, single-machine profile. `.env.example` lists every name.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class EnvError(ValueError):
    """A variable is present but cannot be read as the type asked for."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise EnvError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise EnvError(f"{name} must be an integer; got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str = "") -> str:
    """An absolute http(s) address (scheme and host, perhaps a path prefix), without its
    trailing slash; empty when unset or empty."""
    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise EnvError(
            f"{name} must be an absolute http(s) address such as https://egov.kz; got {raw!r}"
        )
    return raw.rstrip("/")


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or CIDR networks, each checked and written in its
    canonical form (a single address becomes a /32 or /128 network)."""
    networks: list[str] = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise EnvError(f"{name} must list IP addresses or networks; got {item!r}") from exc
    return networks


def demo_secret(var_dir: Path, name: str, nbytes: int = 32) -> str:
    """A secret generated once for demo mode and kept under var/, so restarts keep sessions
    and encrypted data readable. Never used outside demo mode."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "demo-secrets.json"
    data: dict[str, str] = {}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    if name not in data:
        data[name] = secrets.token_urlsafe(nbytes)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
    return data[name]
