"""IINs never reach a log line: the pure masking, the filter on a record, the JSON formatter and
gunicorn's logger."""

from __future__ import annotations

import logging
import sys
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config

from qyzmet.core.access_log import RedactingLogger
from qyzmet.core.iin import iin_make
from qyzmet.core.logging import IinRedactFilter, JsonFormatter, iin_redact

IIN = iin_make(date(1979, 10, 28), "F", 272)
assert IIN is not None
MASKED = f"{IIN[:4]}******{IIN[-2:]}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"iin={IIN}", f"iin={MASKED}"),
        (f"?number=2612345678901234&iin={IIN}&x=1", f"?number=2612345678901234&iin={MASKED}&x=1"),
        (f"{IIN[:6]} {IIN[6:]}", MASKED),  # as typed from a paper
        (f"{IIN[:6]}+{IIN[6:]}", MASKED),  # a space in a query string
        (f"{IIN[:6]}%20{IIN[6:]}", MASKED),
        (f"{IIN},{IIN}", f"{MASKED},{MASKED}"),
        ("2612345678901234", "2612345678901234"),  # a document number: sixteen digits
        ("900101300018", "900101300018"),  # twelve digits with a wrong check digit
        ("+77011234567", "+77011234567"),  # a phone
        (f"9{IIN}", f"9{IIN}"),  # inside a longer run of digits
        ("", ""),
    ],
)  # fmt: skip
def test_only_valid_iins_are_masked(text: str, expected: str) -> None:
    assert iin_redact(text) == expected


def _record(msg: str, *args: Any, **extra: Any) -> logging.LogRecord:
    record = logging.makeLogRecord({"msg": msg, "args": args or None, "levelno": logging.WARNING})
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_the_filter_masks_the_message_its_arguments_and_string_extras() -> None:
    record = _record("Not Found: %s", f"/documents/verify?iin={IIN}", holder=IIN, count=3)

    assert IinRedactFilter().filter(record) is True
    assert record.getMessage() == f"Not Found: /documents/verify?iin={MASKED}"
    assert (record.holder, record.count) == (MASKED, 3)


def test_the_filter_masks_a_traceback() -> None:
    try:
        raise ValueError(f"no person {IIN}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    IinRedactFilter().filter(record)
    line = JsonFormatter().format(record)
    assert IIN not in line and MASKED in line


def test_the_json_line_masks_what_an_object_extra_shows() -> None:
    class Request:
        def __repr__(self) -> str:
            return f"<WSGIRequest: GET '/verify/?iin={IIN}'>"

    line = JsonFormatter().format(_record("Not Found", request=Request()))
    assert IIN not in line and MASKED in line


def test_gunicorn_s_access_log_is_masked(tmp_path: Path) -> None:
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    log = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/documents/verify?number=1&iin={IIN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
    }
    log.access(SimpleNamespace(status="404 Not Found", sent=0, headers=[]),
               SimpleNamespace(headers=[]), environ, timedelta(0))  # fmt: skip
    log.error("bad request line %s", f"GET /?iin={IIN}")
    log.setup(config)  # a reload does not stack filters
    for handler in (*log.access_log.handlers, *log.error_log.handlers):
        handler.flush()

    access = (tmp_path / "access.log").read_text()
    error = (tmp_path / "error.log").read_text()
    assert f"iin={MASKED}" in access and IIN not in access
    assert f"iin={MASKED}" in error and IIN not in error
    assert sum(isinstance(f, IinRedactFilter) for f in log.access_log.filters) == 1


def test_every_configured_handler_masks_iins(settings: Any) -> None:
    for name, handler in settings.LOGGING["handlers"].items():
        assert "no_iin" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["no_iin"]["()"] == "qyzmet.core.logging.IinRedactFilter"
