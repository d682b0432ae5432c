"""Logging that never shows a whole phone number and that a request cannot forge.

Every log line goes through MaskingFormatter (setup_logging gives the root logger one; the
gunicorn logger class in hrw_sms.gunicorn_logs gives gunicorn's own logs one too). It masks
numbers and escapes what a request could smuggle in: a path, a parameter or a header with a
newline, a carriage return or an ANSI escape would otherwise start a fake log line or
repaint the operator's terminal. The escaping is done here, once, rather than at each call
site, so a log call written tomorrow is safe too."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

from hrw_sms.base.phone import mask_in_text

_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """`text` as one printable line: backslashes, control and format characters (newlines,
    carriage returns, ANSI escapes, bidi overrides, line separators) become Python-style
    escapes (`\\n`, `\\x1b`, `\\u202e`); a backslash is doubled so escapes stay unambiguous."""
    if text.isprintable() and "\\" not in text:
        return text  # the common case: nothing to do
    return "".join(c if c.isprintable() and c != "\\" else _escaped(c) for c in text)


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _traceback(te: traceback.TracebackException) -> Iterator[str]:
    """A traceback as Python prints it, but each exception's own message (which may quote a
    request) escaped onto one line. Frames come from our code, not from requests."""
    if te.__cause__ is not None:
        yield from _traceback(te.__cause__)
        yield "\nThe above exception was the direct cause of the following exception:\n\n"
    elif te.__context__ is not None and not te.__suppress_context__:
        yield from _traceback(te.__context__)
        yield "\nDuring handling of the above exception, another exception occurred:\n\n"
    if te.stack:
        yield "Traceback (most recent call last):\n"
        yield from te.stack.format()
    yield escape("".join(te.format_exception_only()).rstrip("\n")) + "\n"


class MaskingFormatter(logging.Formatter):
    """Masks numbers and escapes control characters in the message and any traceback,
    leaving timestamps alone. Each record is one line, a traceback aside."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The record's message with phone numbers masked and control characters escaped (README,
        "Privacy")."""
        record.message = escape(mask_in_text(record.message))
        return super().formatMessage(record)

    def formatException(self, ei) -> str:
        """The traceback with phone numbers masked and each exception's message escaped onto one
        line (README, "Privacy")."""
        _, value, tb = ei
        if value is None:
            return mask_in_text(super().formatException(ei))
        te = traceback.TracebackException(type(value), value, tb, compact=True)
        return mask_in_text("".join(_traceback(te)).rstrip("\n"))


def setup_logging(level: int = logging.INFO) -> None:
    """Give the root logger one masking handler (once per process)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, MaskingFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
