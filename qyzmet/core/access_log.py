"""The web server's own logs without IINs: gunicorn's access log writes each request line,
query string included, and its error log may quote one. `RedactingLogger` is gunicorn's logger
with `IinRedactFilter` on both; `gunicorn.conf.py` at the project's root names it, so every
gunicorn started from there (`manage.py serve` too) uses it."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from qyzmet.core.logging import IinRedactFilter


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, IinRedactFilter) for f in log.filters):
                log.addFilter(IinRedactFilter())
