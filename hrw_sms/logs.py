"""Logging that never shows a whole phone number."""

from __future__ import annotations

import logging

from hrw_sms.phone import mask_in_text


class MaskingFormatter(logging.Formatter):
    """Masks numbers in the message and any traceback, leaving timestamps alone."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = mask_in_text(record.message)
        return super().formatMessage(record)

    def formatException(self, ei) -> str:
        return mask_in_text(super().formatException(ei))


def setup_logging(level: int = logging.INFO) -> None:
    """Give the root logger one masking handler (once per process)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, MaskingFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
