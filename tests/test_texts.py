"""Every text fits in three GSM-7 segments as sent, in both languages."""

from __future__ import annotations

import string
from datetime import datetime, time

import pytest

from flows.dispatch import step
from flows.gsm import is_gsm, segments, to_gsm
from flows.model import Group, Meeting
from flows.render_sms import render
from flows.session import Session
from flows.texts import CATALOGS, en
from tests.flow_world import context, directory

LONG = {
    "contact": "call or text Jordan at +1 413 555 0199 any weekday between 9am and 5pm",
    "place": "Northampton Ma",
    "n": 999,
    "url": "https://meet.example.org/" + "x" * 60,
    "phone": "+1 413 555 0100,,123456#",
    "miles": "59.9",
    "what": " within 60 miles of Springfield",
    "group": "HRW Northampton Downtown Library Group",
    "lead": "24 hours",
    "meeting": "The Very Long Named Tuesday Evening Harm Reduction...",
    "when": "Sun, Mon, Tue, Wed, Thu, Fri, Sat 11:45am EST",
    "count": "7 mensajes",
    "code": "012345",  # the console's sign-in code
    "host": "+1******0123",
    "exercise": "We read a short article on safer use, then talk about it. " * 4 + "x" * 48,
    "max": 280,
    "choices": "\n".join(f"{i}. HRW Northampton Downtown Library Group" for i in range(1, 6)),
    "text": "We moved to room 3 tonight, same time. " * 6,
    "length": 1234,
    "segments": 9,
    "limit": 412,
    "cut": 822,
    "double": " (counting { } [ ] ~ \\ | ^ € as 2 each)",
    "chars": "{ } [ ] ~ \\ | ^ €",
    "total": 10000,
    "queued": 10000,
    "sent": 10000,
    "delivered": 10000,
    "failed": 10000,
    "weekday": "mié",
    "day": 30,
    "month": 12,
    "month_name": "sep",
    "first": 996,
    "last": 1000,
    "feed": "meetings.example-intergroup-area.org/…-ajax.php",  # feed_label's longest
    "reason": "cannot connect to meetings.example-intergroup-area.org; a bit more to fill ninety chars",
    "safety": "This is peer support, not an emergency service. In an emergency call 911. For the 988 Lifeline, call or text 988. Local line: 1-800-555-0100.",
    "line": "1-800-555-0100 (a group's own crisis line)",
    "where": "Join: https://meet.example.org/" + "x" * 60 + "\nDial in: +1 413 555 0100,,123456#",
}


def fill(template: str) -> str:
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format(**{k: LONG[k] for k in names})


def test_catalogs_have_the_same_keys() -> None:
    assert set(CATALOGS["es"]) == set(CATALOGS["en"])


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_catalog_text_fits_in_three_segments(language: str) -> None:
    for key, template in CATALOGS[language].items():
        sent = to_gsm(fill(template))
        assert is_gsm(sent), key
        assert segments(sent) <= 3, (key, segments(sent))


def test_english_texts_need_no_folding() -> None:
    for key, template in en.TEXTS.items():
        assert is_gsm(template), f"{key} has characters outside GSM-7"


def test_folding_keeps_spanish_gsm_letters_and_drops_costly_ones() -> None:
    assert to_gsm("Reunión en línea ¿sí? mañana") == "Reunion en linea ¿si? mañana"
    assert to_gsm("“quotes” — dash…") == '"quotes" - dash...'
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 459) == 3
    assert segments("á" * 70) == 1 and segments("á" * 71) == 2  # UCS-2 counted as UCS-2
    assert segments("{" * 80) == 1 and segments("{" * 81) == 2  # escape characters cost two


def huge_directory():
    name = "The Very Long Named Tuesday Evening Harm Reduction Works Peer Support Meeting " * 2
    address = (
        "12345 Extraordinarily Long Boulevard Name, Building C, Suite 4500, Northampton, MA 01060"
    )
    meetings = {}
    for i in range(12):
        slug = f"m{i}"
        meetings[slug] = Meeting(
            slug=slug,
            name=name + str(i),
            days=(i % 7,),
            time=time(9 + i % 10, 45),
            timezone="America/New_York",
            group="g",
            types=("C",),
            location="Room " * 20,
            address=address,
            city="Northampton Center Village",
            latitude=42.32,
            longitude=-72.63,
            conference_url="https://meet.example.org/" + "y" * 90,
            conference_phone="+1 413 555 0100",
            notes="Notes that go on and on about parking, doors, snacks and supplies. " * 10,
        )
    group = Group(
        "g",
        "A Group With A Really Long Name " * 3,
        "America/New_York",
        "focused",
        welcome="w" * 380,
        agreements="Our own agreements. " * 19,
    )
    return directory(meetings=meetings, groups={"g": group})


@pytest.mark.parametrize("language", ["en", "es"])
def test_real_replies_with_long_names_fit(language: str) -> None:
    now = datetime.fromisoformat("2026-11-24T08:00:00-05:00")
    ctx = context(now, d=huge_directory())
    session = Session(language=language)
    texts = [
        "MEETINGS",
        "1",
        "REMIND 1",
        "REMIND",
        "NOREMIND 9",
        "WELCOME",
        "AGREEMENTS",
        "MORE",
        "7",
        "MEETINGS 01060",
        "HELP",
        "MENU",
        "FORGET",
        "MEETINGS TODAY",
        "meetings nowhere",
        "99",
    ]
    for text in texts:
        result = step(session, text, ctx)
        reply = render(result.replies, language, now, LONG["contact"])
        assert reply, text
        assert is_gsm(reply) and segments(reply) <= 3, (text, segments(reply), reply)
        session = result.session or Session(language=language)


@pytest.mark.parametrize("language", ["en", "es"])
def test_reminders_and_cancellations_fit(language: str) -> None:
    from flows.occurrences import next_occurrence
    from flows.render_sms import cancellation_text, reminder_text

    now = datetime.fromisoformat("2026-11-24T08:00:00-05:00")
    for meeting in huge_directory().meetings.values():
        occ = next_occurrence(meeting, now)
        assert occ is not None
        for body in (reminder_text(language, occ, now), cancellation_text(language, occ, now)):
            assert is_gsm(body) and segments(body) <= 3, body


def test_fast_gsm_check_agrees_with_the_codec() -> None:
    from flows.gsm import septets

    for code in range(0x3000):
        ch = chr(code)
        if ch == "\x1b":  # the escape itself: never a character of a text, so we refuse it
            continue
        try:
            encoded = ch.encode("gsm03.38")
        except UnicodeEncodeError:
            assert not is_gsm(ch), repr(ch)
            continue
        assert is_gsm(ch) and septets(ch) == len(encoded), repr(ch)


# Texts whose {count} is not a number of people or things said with a noun after it.
# remind_confirm: {count} is "1 text" / "3 texts", already agreed; peer_pick is only said to a
# volunteer holding two conversations or more.
NOT_COUNTED = {"remind_confirm", "peer_pick"}


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_every_count_has_a_singular_form_chosen_by_the_count(language: str) -> None:
    from flows.texts import text

    counted = [
        key
        for key, template in CATALOGS[language].items()
        if "{count}" in template and not key.endswith("_one") and key not in NOT_COUNTED
    ]
    assert counted
    params = {"n": 3, "group": "HRW Oakland", "meeting": "Late Night", "when": "hoy 6pm PST",
              "length": 460, "segments": 4, "limit": 459, "double": ""}  # fmt: skip
    plural = ("personas", "people", "subscribers", "del 1 al", "from 1 to", "(1-")
    for key in counted:
        assert f"{key}_one" in CATALOGS[language], key
        one = text(language, key, count=1, **params)
        assert not any(word in one for word in plural), one
        assert text(language, key, count=2, **params) != one


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("command", ["MEETINGS", "1"])
def test_a_command_after_forget_fits_with_the_nothing_erased_line(
    language: str, command: str
) -> None:
    """Not FORGET's YES: "nothing was erased", then the command's own answer, in one text."""
    now = datetime.fromisoformat("2026-11-24T08:00:00-05:00")
    ctx = context(now, d=huge_directory())
    session = step(Session(language=language), "MEETINGS", ctx).session
    session = step(session, "FORGET", ctx).session
    result = step(session, command, ctx)
    reply = render(result.replies, language, now, LONG["contact"])
    assert reply.startswith(render((result.replies[0],), language, now))
    assert result.replies[0].key == "forget_kept"  # type: ignore[union-attr]
    assert is_gsm(reply) and segments(reply) <= 3, (segments(reply), reply)
