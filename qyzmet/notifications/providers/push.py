"""Web Push (RFC 8030) with VAPID (RFC 8292), through pywebpush.

The payload is encrypted for the browser's key (aes128gcm) and holds no personal data: a title
and a link into the portal; the service worker shows it. VAPID keys come from
`QYZMET_VAPID_PRIVATE_KEY` / `QYZMET_VAPID_PUBLIC_KEY` (`manage.py vapid_keys` makes a pair);
demo mode makes one and keeps it under the var dir.
"""

from __future__ import annotations

import base64
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_key_pair() -> tuple[str, str]:
    """A new (private, public) VAPID pair: P-256, base64url of the raw private scalar and of the
    uncompressed public point (what a browser's `applicationServerKey` takes)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(private), _b64url(public)


@dataclass(frozen=True)
class PushResult:
    status: int
    gone: bool  # the subscription no longer exists (404/410): forget it


class PushError(Exception):
    pass


# Tests replace this with a fake session; nothing else should.
requests_session: Any = None


def vapid_keys() -> tuple[str, str]:
    """(private, public) from the settings; in demo mode without them, a pair made once and
    kept under the var dir. ("", "") when push is not configured."""
    if settings.QYZMET_VAPID_PRIVATE_KEY and settings.QYZMET_VAPID_PUBLIC_KEY:
        return settings.QYZMET_VAPID_PRIVATE_KEY, settings.QYZMET_VAPID_PUBLIC_KEY
    if not settings.QYZMET_DEMO:
        return "", ""
    return _demo_keys(str(settings.VAR_DIR))


@functools.cache
def _demo_keys(var_dir: str) -> tuple[str, str]:
    path = Path(var_dir) / "demo-vapid.json"
    if not path.exists():
        private, public = vapid_key_pair()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"private": private, "public": public}), encoding="utf-8")
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another process made its pair first: use that one
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    data = json.loads(path.read_text(encoding="utf-8"))
    return str(data["private"]), str(data["public"])


def push_configured() -> bool:
    return all(vapid_keys())


def push_send(
    *, endpoint: str, p256dh: str, auth: str, title: str, link: str, tag: str
) -> PushResult:
    from pywebpush import WebPushException, webpush

    payload = json.dumps({"title": title, "link": link, "tag": tag}, ensure_ascii=False)
    try:
        response = webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=payload,
            vapid_private_key=vapid_keys()[0],
            vapid_claims={"sub": settings.QYZMET_VAPID_SUBJECT},
            content_encoding="aes128gcm",
            ttl=24 * 3600,
            timeout=10,
            requests_session=requests_session,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", 0) or 0
        if status in (404, 410):
            return PushResult(status=status, gone=True)
        raise PushError(f"push refused: {status}") from exc
    except Exception as exc:  # a transport failure: retried later
        raise PushError(type(exc).__name__) from exc
    return PushResult(status=int(response.status_code), gone=False)
