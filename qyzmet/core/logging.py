"""Structured logging: one JSON object per line, safe to ship to any collector.

No log line names a citizen: `IinRedactFilter` (on every handler of `LOGGING`, and on the web
server's access and error logs through `qyzmet.core.access_log`) masks any run of twelve digits
that is a valid IIN, wherever it comes from: a message, its arguments, an extra field, an
address with a query string, a traceback. The masked form keeps what people use to tell two
numbers apart on a screen ("7910******28"), as `iin_mask` shows it elsewhere.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from qyzmet.core.iin import IinError, iin_check, iin_mask

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

# Twelve digits not inside a longer run of digits, perhaps typed as two groups of six.
_TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{6}(?:[ +]|%20)?[0-9]{6}(?![0-9])")


def _masked(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9]", "", match.group(0).replace("%20", ""))
    try:
        iin_check(digits)
    except IinError:
        return match.group(0)  # a document number, an amount, a phone: not a person's IIN
    return iin_mask(digits)


def iin_redact(text: str) -> str:
    """`text` with every valid IIN in it masked; other digits are left as they are."""
    return _TWELVE_DIGITS.sub(_masked, text) if text else text


class IinRedactFilter(logging.Filter):
    """Masks IINs in a record before any handler formats it: its message (arguments merged),
    its string extras and its traceback text. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = iin_redact(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, iin_redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = iin_redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            payload["exc"] = record.exc_text or self.formatException(record.exc_info)
        # Extras that are objects (a request, whose repr holds its address) are only text here.
        return iin_redact(json.dumps(payload, ensure_ascii=False))
