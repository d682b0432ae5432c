"""gunicorn's logger with our formatter: `gunicorn --logger-class hrw_sms.gunicorn_logs.Logger`.

gunicorn keeps its own error and access logs beside the root logger. Its access line quotes
the request (path, query, Referer, User-Agent, any header a custom format names), so it gets
the same masking and escaping as every other line (hrw_sms.base.logs.MaskingFormatter)."""

from __future__ import annotations

from gunicorn.glogging import Logger as GunicornLogger

from hrw_sms.base.logs import MaskingFormatter


class Logger(GunicornLogger):
    """Each handler gunicorn sets up (console, file, syslog) keeps its format, made safe."""

    def setup(self, cfg) -> None:
        """Gunicorn's own set-up, then each handler's formatter swapped for one masking numbers."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                old = handler.formatter
                fmt, datefmt = (old._fmt, old.datefmt) if old is not None else (None, None)
                handler.setFormatter(MaskingFormatter(fmt, datefmt))
