from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every error the API returns has this shape."""

    code: str
    message: str
    details: dict[str, Any] | list[Any]


class LanguageOut(Schema):
    code: str
    name: str
    name_local: str


class MetaOut(Schema):
    name: str
    version: str
    language: str
    languages: list[LanguageOut]
    demo: bool


class HealthOut(Schema):
    status: str
    database: dict[str, Any]
    worker: dict[str, Any]
