"""to_e164's shortcut for E.164 North American numbers gives what phonenumbers gives."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from hrw_sms.base.phone import BadNumber, to_e164


def library_e164(text: str) -> str | None:
    """phonenumbers alone: the E.164 form, or None when it is not a possible number."""
    try:
        parsed = phonenumbers.parse(text.strip(), "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def ours(text: str) -> str | None:
    try:
        return to_e164(text)
    except BadNumber:
        return None


def test_e164_north_american_numbers_match_the_library() -> None:
    rng = random.Random(16)
    samples = ["+1" + "".join(rng.choice("0123456789") for _ in range(10)) for _ in range(20_000)]
    samples += ["+10000000000", "+19999999999", " +14135550123 ", "+14135550123\n"]
    for text in samples:
        assert ours(text) == library_e164(text), text


@pytest.mark.parametrize(
    "text",
    [
        "+1413555012",  # one digit short
        "+141355501234",  # one digit long
        "+1 413 555 0123",
        "(413) 555-0123",
        "+442079460958",
        "+٤١٣٥٥٥٠١٢٣",  # Arabic-Indic digits: not the shortcut's ASCII digits
        "+1４１３５５５０１２３",  # full-width digits
        "1 413 555 0123",
    ],
)
def test_other_forms_still_go_through_the_library(text: str) -> None:
    assert ours(text) == library_e164(text)
