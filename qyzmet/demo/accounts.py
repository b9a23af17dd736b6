"""The demo accounts that `make run` prints. Demo mode only; never in production."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    role: str
    login: str
    password: str
    where: str


ADMIN = DemoAccount(
    role="administrator",
    login="admin",
    password="demo-admin-2026",  # noqa: S106 - demo only
    where="/admin/",
)


def all_accounts() -> list[DemoAccount]:
    return [ADMIN]
