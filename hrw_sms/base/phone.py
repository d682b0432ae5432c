"""Phone numbers: parse any common form to E.164, and mask for operators and logs."""

from __future__ import annotations

import re

import phonenumbers


class BadNumber(ValueError):
    pass


# A phone number as a carrier writes one: ASCII digits, spaces, + ( ) - . and nothing else.
# Letters (vanity spellings, channel prefixes, full-width look-alikes), zero-width and bidi
# characters all fall outside it: phonenumbers would quietly drop or translate them.
_PLAIN = re.compile(r"[0-9+().\s-]+", re.ASCII)


def is_plain_number(raw: str | None) -> bool:
    """True when `raw` holds only what a plain phone number is written with (not parsed)."""
    return bool(raw) and _PLAIN.fullmatch(raw) is not None  # type: ignore[arg-type]


def plain_e164(raw: str | None, region: str = "US") -> str | None:
    """The number in E.164 when `raw` is a plain phone number (is_plain_number), else None."""
    if not is_plain_number(raw):
        return None
    try:
        return to_e164(raw, region)  # type: ignore[arg-type]
    except BadNumber:
        return None


# A North American number already in E.164, as Twilio sends every From on a US line:
# phonenumbers returns it unchanged (tests/test_phone.py checks that against the library),
# so the webhook skips the parse (about a twentieth of its work, bench/profile_sms.py).
_NANP_E164 = re.compile(r"\+1[0-9]{10}", re.ASCII)


def to_e164(raw: str, region: str = "US") -> str:
    """Return the number in E.164, or raise BadNumber saying why (phonenumbers' parse and
    is_possible_number; an E.164 North American number is returned as it is)."""
    text = (raw or "").strip()
    if not text:
        raise BadNumber("no phone number given")
    if _NANP_E164.fullmatch(text):
        return text
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise BadNumber(f"{text!r} is not a phone number") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise BadNumber(f"{text!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(number: str | None) -> str:
    """Show at most the last 4 digits: +1******0123."""
    if not number:
        return "-"
    digits = re.sub(r"\D", "", number)
    if len(digits) <= 4:
        return "*" * len(digits)
    lead = "+" if number.strip().startswith("+") else ""
    # The North American "+1" says nothing about a person; any other prefix might.
    country = "1" if lead and len(digits) == 11 and digits[0] == "1" else ""
    hidden = len(digits) - len(country) - 4
    return f"{lead}{country}{'*' * hidden}{digits[-4:]}"


# E.164 numbers, and North American numbers as people write them; not dates or counts.
_NUMBER_LIKE = re.compile(
    r"(?<![\w+])(?:\+\d{8,15}|\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4})(?!\d)"
)


def mask_in_text(text: str) -> str:
    """Mask anything that looks like a phone number inside free text (for log lines)."""
    return _NUMBER_LIKE.sub(lambda m: mask(m.group(0)), text)
