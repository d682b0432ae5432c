"""The coordinators' console (issue 14): sign-in by texted code, sessions, CSRF, group pages.
Real Redis, real RQ workers, the real twilio library over HTTP to the fake API."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from hrw_sms.store import hosts, keys
from tests.console_client import ConsoleUser
from tests.worker_world import World, world_at

NOW = datetime.fromisoformat("2026-11-24T10:00:00-05:00")
COORD = "+14135550900"
OTHER = "+14135550901"  # coordinates another group
STRANGER = "+14135550999"
PEOPLE = ["+14135550301", "+14135550302"]
GROUP = "hrw-northampton"
CLEAR_FORM = {"action": "clear", "meeting": "forbes-tuesday", "date": "2026-12-01",
              "version": "1", "confirm": "yes"}  # fmt: skip
CONFIRM = re.compile(r'name="confirm_token" value="([^"]+)"')


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    # Quiet hours on purpose (22:00 local): the code is a reply and is never held.
    with world_at(redis_url, NOW.replace(hour=22)) as w:
        for number, group in ((COORD, GROUP), (OTHER, "valley-focused")):
            assert w.cli("coordinator", "add", number, "--group", group).exit_code == 0
        yield w


def sends(world: World) -> int:
    world.work()
    return len(world.fake.sends())


def remind_tuesday_night(world: World, number: str) -> None:
    """`number` asks for reminders of the Tuesday Night meeting as a person does: MEETINGS
    and a zip code, then REMIND and its number in the list."""
    phone = world.phone(number)
    (line,) = [x for x in phone.text("MEETINGS 01060").splitlines() if "Tuesday Night" in x]
    phone.text("REMIND " + line.split(".")[0])


def test_a_coordinator_signs_in_with_the_code_texted_to_them(world: World) -> None:
    user = ConsoleUser(world, COORD)
    page = user.ask_code()
    assert page.status_code == 200 and 'name="code"' in page.get_data(as_text=True)
    world.work()
    (text,) = world.texts_to(COORD)
    assert "console" in text and len(user.codes()) == 1
    signed = user.post("/console/code", phone=COORD, code=user.codes()[0])
    assert signed.status_code == 302 and signed.location.endswith("/console/groups")
    only = user.get("/console/groups")  # one group: straight to it
    assert only.status_code == 302 and only.location.endswith(f"/console/groups/{GROUP}")
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    overview = user.get(f"/console/groups/{GROUP}")
    assert overview.status_code == 200 and "HRW Northampton" in overview.get_data(as_text=True)
    assert "Tuesday Night at the Library" in overview.get_data(as_text=True)


def test_a_stranger_sees_the_same_page_and_gets_no_text(world: World) -> None:
    user = ConsoleUser(world, STRANGER)
    page = user.ask_code()
    real = ConsoleUser(world, COORD).ask_code()
    strip = lambda r: r.get_data(as_text=True).split("<form")[0]  # noqa: E731
    assert page.status_code == real.status_code == 200 and strip(page) == strip(real)
    world.work()
    assert world.texts_to(STRANGER) == [] and len(world.texts_to(COORD)) == 1


def test_wrong_expired_and_replayed_codes_are_refused(world: World) -> None:
    user = ConsoleUser(world, COORD)
    user.ask_code()
    code = user.codes()[0]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = user.post("/console/code", phone=COORD, code=wrong)
    assert refused.status_code == 400 and "Codes work once" in refused.get_data(as_text=True)
    assert user.post("/console/code", phone=COORD, code=code).status_code == 302
    # Replayed: the code worked once.
    again = ConsoleUser(world, COORD)
    again.get("/console")
    assert again.post("/console/code", phone=COORD, code=code).status_code == 400
    # Expired: 10 minutes later a fresh code no longer works.
    late = ConsoleUser(world, COORD)
    late.ask_code()
    fresh = late.codes()[-1]
    world.redis.pexpire(keys.console_code(world.app.extensions["hrw"].number_id(COORD)), 1)
    world.clock.advance(minutes=11)
    import time

    time.sleep(0.01)
    assert late.post("/console/code", phone=COORD, code=fresh).status_code == 400


def test_five_wrong_codes_lock_the_number_for_15_minutes(world: World) -> None:
    user = ConsoleUser(world, COORD)
    user.ask_code()
    code = user.codes()[0]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        user.post("/console/code", phone=COORD, code=wrong)
    locked = user.post("/console/code", phone=COORD, code=code)
    assert locked.status_code == 400 and "15 minutes" in locked.get_data(as_text=True)
    before = sends(world)
    asked = user.post("/console", phone=COORD).get_data(as_text=True)  # no new code now
    assert sends(world) == before
    assert "Wait 15 minutes" in asked and "we just texted" not in asked
    nid = world.app.extensions["hrw"].number_id(COORD)
    assert 0 < world.redis.ttl(keys.console_lock(nid)) <= 15 * 60


def test_posts_without_csrf_are_refused_and_change_nothing(world: World) -> None:
    user = ConsoleUser(world, COORD)
    user.get("/console")
    assert user.post("/console", csrf=False, phone=COORD).status_code == 400
    assert sends(world) == 0
    user.sign_in()
    before = sends(world)
    for path, form in (
        (f"/console/groups/{GROUP}/broadcast", {"text": "Hi", "confirm": "yes"}),
        (f"/console/groups/{GROUP}/texts", {"welcome": "Changed"}),
        (f"/console/groups/{GROUP}/texts", {"welcome_es": "Cambiado"}),
        (f"/console/groups/{GROUP}/roster", {"action": "add", "phone": "+14135550777"}),
        (f"/console/groups/{GROUP}/roster", CLEAR_FORM),
    ):
        assert user.post(path, csrf=False, **form).status_code == 400
    assert sends(world) == before
    group = world.app.extensions["hrw"].directory.load().groups[GROUP]
    assert group.welcome != "Changed" and world.redis.get(keys.BROADCAST_SEQ) is None
    assert group.welcome_es is None


def test_another_groups_pages_answer_404(world: World) -> None:
    user = ConsoleUser(world, OTHER)
    user.sign_in()
    for page in ("", "/broadcast", "/roster", "/texts", "/volunteers", "/usage", "/audit",
                 "/flyer"):  # fmt: skip
        assert user.get(f"/console/groups/{GROUP}{page}").status_code == 404
    missing = user.get(f"/console/groups/{GROUP}").get_data(as_text=True)
    assert "HRW console" in missing and 'href="/console/groups" id="back"' in missing
    refused = user.post(f"/console/groups/{GROUP}/broadcast", text="Hi", confirm="yes")
    assert refused.status_code == 404 and world.redis.get(keys.BROADCAST_SEQ) is None
    host = "+14135550800"
    assert world.cli("host", "add", host, "--group", GROUP).exit_code == 0
    world.clock.set(NOW)
    assert world.cli("host", "assign", "forbes-tuesday", "2026-12-01", host).exit_code == 0
    before = sends(world)
    for form in (
        {"action": "clear", "meeting": "forbes-tuesday", "date": "2026-12-01", "version": "1",
         "confirm": "yes"},
        {"action": "remove", "phone": host},
    ):  # fmt: skip
        assert user.post(f"/console/groups/{GROUP}/roster", **form).status_code == 404
    assert hosts.hosting_of(world.redis, "forbes-tuesday", date(2026, 12, 1)) is not None
    assert sends(world) == before
    assert user.get("/console/groups/valley-focused").status_code == 200


def test_a_removed_coordinators_old_cookie_no_longer_works(world: World) -> None:
    user = ConsoleUser(world, COORD)
    user.sign_in()
    assert user.get(f"/console/groups/{GROUP}").status_code == 200
    assert world.cli("coordinator", "remove", COORD, "--group", GROUP).exit_code == 0
    gone = user.get(f"/console/groups/{GROUP}")
    assert gone.status_code == 302 and gone.location.endswith("/console")


def test_signing_out_ends_the_session(world: World) -> None:
    user = ConsoleUser(world, COORD)
    user.sign_in()
    cookie = user.client.get_cookie("hrw_console", domain="hrw.example.org", path="/console")
    assert cookie is not None
    user.post("/console/sign-out")
    stolen = ConsoleUser(world, COORD)
    stolen.client.set_cookie("hrw_console", cookie.value, path="/console",
                             domain="hrw.example.org")  # fmt: skip
    assert stolen.get(f"/console/groups/{GROUP}").status_code == 302


def test_operators_see_every_group(world: World) -> None:
    op = "+14135550950"
    assert world.cli("operator", "add", op).exit_code == 0
    listed = world.cli("operator", "list")
    assert "+1******0950" in listed.output and op not in listed.output
    user = ConsoleUser(world, op)
    user.sign_in()
    page = user.get("/console/groups").get_data(as_text=True)
    assert "HRW Northampton" in page and "Valley Focused" in page
    assert user.get(f"/console/groups/{GROUP}/roster").status_code == 200
    assert world.cli("operator", "remove", op).exit_code == 0
    assert user.get(f"/console/groups/{GROUP}").status_code == 302


def test_broadcast_previews_then_sends_on_confirm(world: World) -> None:
    world.clock.set(NOW)
    for number in PEOPLE:
        remind_tuesday_night(world, number)
    world.work()
    user = ConsoleUser(world, COORD)
    user.sign_in()
    before = sends(world)
    path = f"/console/groups/{GROUP}/broadcast"
    preview = user.post(path, text="We moved to room 3 tonight.").get_data(as_text=True)
    assert "HRW Northampton: We moved to room 3 tonight.\nReply STOP to end texts." in preview
    assert "1 text each, to <strong>2</strong>" in preview and sends(world) == before
    too_long = user.post(path, text="word " * 120, confirm="yes")
    assert too_long.status_code == 400 and sends(world) == before
    preview = user.post(path, text="We moved to room 3 tonight.").get_data(as_text=True)
    token = CONFIRM.search(preview).group(1)
    no_token = user.post(path, text="We moved to room 3 tonight.", confirm="yes")
    assert no_token.status_code == 409 and sends(world) == before
    sent = user.post(path, text="We moved to room 3 tonight.", confirm="yes",
                     confirm_token=token)  # fmt: skip
    assert sent.status_code == 302
    world.work()
    for number in PEOPLE:
        assert world.texts_to(number)[-1].startswith("HRW Northampton: We moved to room 3")
    progress = user.get(sent.location).get_data(as_text=True)
    assert "2 in all: 0 queued, 2 sent" in progress
    audit = user.get(f"/console/groups/{GROUP}/audit").get_data(as_text=True)
    assert "+1******0900" in audit and "console" in audit and COORD not in audit


def test_roster_assigns_a_host_and_refuses_bad_input(world: World) -> None:
    world.clock.set(NOW)
    host = "+14135550800"
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/roster"
    not_host = user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-01",
                         phone=host)  # fmt: skip
    assert not_host.status_code == 400 and "not a host" in not_host.get_data(as_text=True)
    assert user.post(path, action="add", phone=host).status_code == 200
    past = user.post(path, action="assign", meeting="forbes-tuesday", date="2026-11-17",
                     phone=host)  # fmt: skip
    assert past.status_code == 400
    assert "Tuesday, Nov 17 has passed. Choose a date from today on." in past.get_data(as_text=True)
    wrong_day = user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-02",
                          phone=host)  # fmt: skip
    assert wrong_day.status_code == 400 and (
        "Tuesday Night at the Library does not meet on Wednesday, Dec 2: it meets on Tuesdays."
        in wrong_day.get_data(as_text=True)
    )
    bad_phone = user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-01",
                          phone="call me")  # fmt: skip
    assert 'That is not a phone number we can text: "call me". Write it like 413-555-0100.' in (
        html.unescape(bad_phone.get_data(as_text=True))
    )
    kept = past.get_data(as_text=True)  # the form keeps what was typed
    assert 'value="forbes-tuesday" selected' in kept and 'value="2026-11-17"' in kept
    assert f'id="phone" name="phone" type="tel" autocomplete="off" value="{host}"' in kept
    ok = user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-01",
                   phone=host)  # fmt: skip
    page = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "+1******0800 hosts" in page and host not in page
    assert "+1******0800 · assigned" in page  # not asked: no prompt has gone out yet
    record = hosts.hosting_of(world.redis, "forbes-tuesday", date(2026, 12, 1))
    assert record is not None and hosts.mark_prompted(world.redis, record)
    assert "+1******0800 · asked" in user.get(path).get_data(as_text=True)


def test_roster_refuses_a_host_for_a_cancelled_day(world: World) -> None:
    world.clock.set(NOW)
    host = "+14135550800"
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/roster"
    assert user.post(path, action="add", phone=host).status_code == 200
    store = world.app.extensions["hrw"].directory
    assert store.set_cancelled("forbes-tuesday", date(2026, 12, 1), True)
    before = sends(world)
    refused = user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-01",
                        phone=host)  # fmt: skip
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400 and (
        "That meeting is cancelled on Tuesday, Dec 1: Tuesday Night at the Library does not "
        "meet that day, so it has no host to set. Choose another date." in page
    )
    assert hosts.hosting_of(world.redis, "forbes-tuesday", date(2026, 12, 1)) is None
    assert sends(world) == before
    assert user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-08",
                     phone=host).status_code == 200  # fmt: skip


def test_roster_clears_a_confirmed_host_who_is_told_by_text(world: World) -> None:
    world.clock.set(NOW)
    host = "+14135550800"
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/roster"
    user.post(path, action="add", phone=host)
    user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-01", phone=host)
    tuesday = date(2026, 12, 1)
    record = hosts.hosting_of(world.redis, "forbes-tuesday", tuesday)
    assert record is not None and hosts.mark_prompted(world.redis, record)
    nid = world.app.extensions["hrw"].number_id(host)
    assert hosts.answer(world.redis, nid, "forbes-tuesday", tuesday, record.version, "confirmed")
    page = user.get(path).get_data(as_text=True)
    assert "+1******0800 · confirmed" in page and "Clear host…" in page
    before = sends(world)
    version = str(record.version + 1)
    form = {"action": "clear", "meeting": "forbes-tuesday", "date": "2026-12-01"}
    asked = user.post(path, version=version, **form).get_data(as_text=True)
    assert "Clear the host of Tuesday Night at the Library on Tuesday, Dec 1?" in asked
    assert "+1******0800 will get a text saying they need not host it" in asked
    assert hosts.hosting_of(world.redis, "forbes-tuesday", tuesday) is not None
    assert sends(world) == before  # asking changes nothing and texts nobody
    stale = user.post(path, version=str(record.version), confirm="yes", **form)
    assert stale.status_code == 400 and "changed while you were looking" in stale.get_data(
        as_text=True
    )
    assert hosts.hosting_of(world.redis, "forbes-tuesday", tuesday) is not None
    cleared = user.post(path, version=version, confirm="yes", **form)
    text = cleared.get_data(as_text=True)
    assert (
        cleared.status_code == 200
        and "Tuesday Night at the Library on Tuesday, Dec 1 has no host now." in text
    )
    assert "+1******0800 is told by text" in text and host not in text
    assert hosts.hosting_of(world.redis, "forbes-tuesday", tuesday) is None
    row = next(r for r in text.split("<tr>") if "Dec 1," in r)
    assert "no host set" in row and "Clear host" not in row
    world.work()
    (notice,) = [t for t in world.texts_to(host) if "need for you to host" in t]
    assert "Tuesday Night at the Library" in notice
    audit = user.get(f"/console/groups/{GROUP}/audit").get_data(as_text=True)
    assert "clear host: forbes-tuesday 2026-12-01 +1******0800" in audit
    again = user.post(path, version=version, confirm="yes", **form)
    assert again.status_code == 400 and (
        "Tuesday Night at the Library on Tuesday, Dec 1 has no host to clear."
        in again.get_data(as_text=True)
    )


def test_clearing_a_host_never_asked_texts_nobody_and_bad_clears_change_nothing(
    world: World,
) -> None:
    world.clock.set(NOW)
    host = "+14135550800"
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/roster"
    user.post(path, action="add", phone=host)
    user.post(path, action="assign", meeting="forbes-tuesday", date="2026-12-08", phone=host)
    before = sends(world)
    form = {"action": "clear", "confirm": "yes", "version": "1"}
    for meeting, day, words in (
        ("holyoke-focused", "2026-11-26", "Choose one of this group's meetings."),
        ("forbes-tuesday", "2026-11-17", "Tuesday, Nov 17 has passed."),
        ("forbes-tuesday", "2026-12-15", "has no host to clear."),
        ("forbes-tuesday", "soon", "Give the date as YYYY-MM-DD"),
    ):
        refused = user.post(path, meeting=meeting, date=day, **form)
        said = html.unescape(refused.get_data(as_text=True))
        assert refused.status_code == 400 and words in said, words
    assert hosts.hosting_of(world.redis, "forbes-tuesday", date(2026, 12, 8)) is not None
    asked = user.post(path, action="clear", meeting="forbes-tuesday", date="2026-12-08")
    assert "Nobody is texted about it." in asked.get_data(as_text=True)
    done = user.post(path, meeting="forbes-tuesday", date="2026-12-08", **form)
    assert done.status_code == 200 and "is told by text" not in done.get_data(as_text=True)
    assert hosts.hosting_of(world.redis, "forbes-tuesday", date(2026, 12, 8)) is None
    world.clock.set(NOW + timedelta(days=14))  # past every prompt it would have had
    assert sends(world) == before  # never asked, so never told; its prompts found no record


def test_texts_edit_the_welcome_that_welcome_answers_with(world: World) -> None:
    world.clock.set(NOW)
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/texts"
    saved = user.post(path, welcome="Welcome to Northampton! Coffee at 6.", agreements="")
    assert saved.status_code == 200 and "Saved" in saved.get_data(as_text=True)
    too_long = user.post(path, welcome="x" * 600, agreements="Be kind.")
    assert too_long.status_code == 400
    kept = too_long.get_data(as_text=True)  # what was typed comes back, not the saved text
    assert ">" + "x" * 600 + "</textarea>" in kept and ">Be kind.</textarea>" in kept
    group = world.app.extensions["hrw"].directory.load().groups[GROUP]
    assert group.welcome == "Welcome to Northampton! Coffee at 6."


def test_texts_of_mostly_emoji_are_refused_and_dropped_ones_are_named(world: World) -> None:
    """SMS cannot carry emoji (flows.gsm.to_gsm drops them): a text that would go out blank,
    or having lost most of itself, is refused in any box and nothing is saved; one that loses
    a few keeps them out and the page says which."""
    world.clock.set(NOW)
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/texts"
    store = world.app.extensions["hrw"].directory
    before = store.load().groups[GROUP]
    for field, words, said in (
        ("agreements_es", "\U0001f600" * 100, "The agreements in Spanish would arrive empty"),
        ("welcome", "\U0001f64f\U0001f64f\U0001f64f ok",
         "The welcome would lose most of its characters"),
    ):  # fmt: skip
        form = {"welcome": "Hello.", "agreements": "", "welcome_es": "", "agreements_es": ""}
        refused = user.post(path, **{**form, field: words})
        page = html.unescape(refused.get_data(as_text=True))
        assert refused.status_code == 400 and said in page, page
        assert "text messages cannot carry emoji" in page and "Saved" not in page
        assert store.load().groups[GROUP] == before
    saved = user.post(path, welcome="", agreements="", welcome_es="",
                      agreements_es="Respeto \U0001f64f siempre.")  # fmt: skip
    page = html.unescape(saved.get_data(as_text=True))
    assert saved.status_code == 200 and "Saved." in page
    assert (
        'id="agreements_es-dropped">Text messages cannot carry \U0001f64f, so it is left out'
        in page
    )
    assert store.load().groups[GROUP].agreements_es == "Respeto \U0001f64f siempre."
    # What goes out says ACUERDOS with the words, not the emoji.
    phone = world.phone(PEOPLE[0])
    (line,) = [x for x in phone.text("REUNIONES 01060").splitlines() if "Tuesday Night" in x]
    phone.text(line.split(".")[0])
    answer = phone.text("ACUERDOS")
    assert "Respeto" in answer and "siempre." in answer and "\U0001f64f" not in answer


def test_texts_keep_a_welcome_in_each_language_and_bienvenida_answers_in_spanish(
    world: World,
) -> None:
    world.clock.set(NOW)
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/texts"
    page = html.unescape(user.get(path).get_data(as_text=True))
    assert "In Spanish (for people who chose Spanish)" in page
    assert 'for="welcome_es">Welcome in Spanish<' in page and 'name="agreements_es"' in page
    assert "Sent now (the line's shared text)" in page  # nothing of the group's own yet
    spanish = "Bienvenidos a Northampton. Hay cafe a las 6."
    saved = user.post(path, welcome="Welcome to Northampton!", agreements="",
                      welcome_es=spanish, agreements_es="")  # fmt: skip
    shown = html.unescape(saved.get_data(as_text=True))
    assert saved.status_code == 200 and "Saved." in shown
    assert f"HRW Northampton: {spanish}\nEscribe REUNIONES para ver horarios" in shown
    group = world.app.extensions["hrw"].directory.load().groups[GROUP]
    assert group.welcome == "Welcome to Northampton!" and group.welcome_es == spanish

    # A person reading Spanish gets the Spanish words; one reading English, the English.
    def welcome_for(number: str, words: tuple[str, str, str]) -> str:
        phone = world.phone(number)
        listing = phone.text(f"{words[0]} 01060")
        (line,) = [x for x in listing.splitlines() if "Tuesday Night" in x]
        phone.text(line.split(".")[0])
        return phone.text(words[2])

    assert spanish in welcome_for(PEOPLE[0], ("REUNIONES", "", "BIENVENIDA"))
    english = welcome_for(PEOPLE[1], ("MEETINGS", "", "WELCOME"))
    assert "Welcome to Northampton!" in english and spanish not in english
    # Too long as sent: refused, naming which, and nothing of the form is saved.
    refused = user.post(path, welcome="Changed.", agreements="", welcome_es="palabra " * 60,
                        agreements_es="")  # fmt: skip
    said = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400 and "The welcome in Spanish is too long" in said
    assert ">Changed.</textarea>" in said  # what was typed comes back
    group = world.app.extensions["hrw"].directory.load().groups[GROUP]
    assert group.welcome == "Welcome to Northampton!" and group.welcome_es == spanish
    # Emptied: the Spanish reader gets the line's shared Spanish welcome again.
    user.post(path, welcome="Welcome to Northampton!", agreements="", welcome_es="",
              agreements_es="")  # fmt: skip
    group = world.app.extensions["hrw"].directory.load().groups[GROUP]
    assert group.welcome_es is None and group.welcome == "Welcome to Northampton!"
    assert spanish not in world.phone(PEOPLE[0]).text("BIENVENIDA")
    audit = user.get(f"/console/groups/{GROUP}/audit").get_data(as_text=True)
    assert "edit texts: welcome (en), agreements (en), welcome (es), agreements (es)" in audit


def test_volunteers_page_adds_and_removes_volunteers_and_shifts(world: World) -> None:
    from hrw_sms.store import volunteers

    world.clock.set(NOW)  # Tuesday 10:00 AM in Northampton
    volunteer = "+14135550401"
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/volunteers"
    page = user.get(path).get_data(as_text=True)
    assert "No volunteers yet." in page and f'href="{path}" aria-current="page"' in page
    before = sends(world)
    channel = user.post(path, action="add", phone=f"whatsapp:{volunteer}")
    assert channel.status_code == 400 and "That is not a phone number we can text" in (
        channel.get_data(as_text=True)
    )
    shift = {"action": "add_shift", "phone": volunteer, "day": "2"}
    stranger = user.post(path, **shift, **{"from": "18:00", "to": "22:00"})
    assert stranger.status_code == 400
    assert "+1******0401 is not a volunteer of this group yet." in stranger.get_data(as_text=True)
    assert user.post(path, action="add", phone="(413) 555-0401").status_code == 200
    nid = world.app.extensions["hrw"].number_id(volunteer)
    assert volunteers.is_volunteer(world.redis, nid, GROUP)
    for start, end in (("18:00", "22:00"), ("09:00", "11:00")):
        assert user.post(path, **shift, **{"from": start, "to": end}).status_code == 200
    late = user.post(path, **{**shift, "day": "6"}, **{"from": "22:00", "to": "02:00"})
    page = late.get_data(as_text=True)
    assert "Saturday 10:00 PM to 2:00 AM (next day)" in page
    assert "Tuesday 6:00 PM to 10:00 PM" in page and volunteer not in page
    assert "+1******0401 <strong>(on shift now)</strong>" in page  # Tue 9-11 AM, it is 10
    assert "<strong>1</strong> volunteer is on shift now." in page
    overlap = user.post(path, **shift, **{"from": "20:00", "to": "23:00"})
    said = html.unescape(overlap.get_data(as_text=True))
    assert overlap.status_code == 400 and (
        "Tuesday 8:00 PM to 11:00 PM overlaps +1******0401's shift Tuesday 6:00 PM to "
        "10:00 PM. Remove that one first" in said
    )
    assert len(volunteers.shifts(world.redis, GROUP)) == 3
    # The command line sees the same shifts (one store), in the group's own time.
    listed = world.cli("shift", "list", "--group", GROUP).output
    assert "Tue 18:00-22:00" in listed and "Sat 22:00-02:00 (next day)" in listed
    # Remove one shift by its row, then the volunteer (their shifts go with them).
    refs = re.findall(r'name="shift" value="([0-9a-f]{16})"', page)
    assert len(refs) == 3
    gone = user.post(path, action="remove_shift", shift=refs[0])
    assert gone.status_code == 200 and len(volunteers.shifts(world.redis, GROUP)) == 2
    again = user.post(path, action="remove_shift", shift=refs[0])
    assert again.status_code == 400 and "no longer on the list" in again.get_data(as_text=True)
    (who,) = re.findall(r'name="volunteer" value="([0-9a-f]{16})"', page)
    removed = user.post(path, action="remove", volunteer=who)
    assert removed.status_code == 200 and "No volunteers yet." in removed.get_data(as_text=True)
    assert not volunteers.is_volunteer(world.redis, nid) and not volunteers.shifts(
        world.redis, GROUP
    )
    audit = user.get(f"/console/groups/{GROUP}/audit").get_data(as_text=True)
    for entry in ("add volunteer: +1******0401", "add shift: +1******0401 Tue 18:00-22:00",
                  "remove shift: +1******0401", "remove volunteer: +1******0401"):  # fmt: skip
        assert entry in audit
    assert sends(world) == before  # the page texts nobody


def test_volunteer_changes_without_csrf_or_for_another_group_change_nothing(
    world: World,
) -> None:
    from hrw_sms.store import volunteers

    volunteer = "+14135550401"
    assert world.cli("volunteer", "add", volunteer, "--group", GROUP).exit_code == 0
    path = f"/console/groups/{GROUP}/volunteers"
    user = ConsoleUser(world, COORD)
    user.sign_in()
    page = user.get(path).get_data(as_text=True)
    (who,) = re.findall(r'name="volunteer" value="([0-9a-f]{16})"', page)
    other = ConsoleUser(world, OTHER)
    other.sign_in()
    before = sends(world)
    forms = (
        {"action": "add", "phone": "+14135550402"},
        {"action": "remove", "volunteer": who},
        {"action": "add_shift", "phone": volunteer, "day": "1", "from": "18:00", "to": "20:00"},
    )
    for form in forms:
        assert user.post(path, csrf=False, **form).status_code == 400
        assert other.post(path, **form).status_code == 404
    assert other.get(path).status_code == 404
    nid = world.app.extensions["hrw"].number_id(volunteer)
    assert volunteers.listing_ids(world.redis, GROUP) == [nid]
    assert volunteers.shifts(world.redis, GROUP) == [] and sends(world) == before


def test_flyer_usage_pages(world: World) -> None:
    user = ConsoleUser(world, COORD)
    user.sign_in()
    flyer = user.get(f"/console/groups/{GROUP}/flyer").get_data(as_text=True)
    assert "<svg" in flyer and "MEETINGS" in flyer and "REUNIONES" in flyer
    assert "(413) 555-0000" in flyer  # the line's own number (tests/worker_world.SENDER)
    # Each language has its own words, its QR code's caption and the STOP line included.
    assert "Scan to text MEETINGS</figcaption>" in flyer
    assert "Escanea para escribir REUNIONES</figcaption>" in flyer
    assert "Reply STOP to end texts." in flyer
    assert "Responde STOP para dejar de recibir mensajes." in flyer
    usage = user.get(f"/console/groups/{GROUP}/usage")
    assert usage.status_code == 200 and 'class="chart"' in usage.get_data(as_text=True)


SCROLLER = re.compile(r'<div class="scroll"([^>]*)>')


def test_every_scrolling_table_can_be_reached_by_keyboard(world: World) -> None:
    """A table wider than a 360-px phone scrolls sideways in its box; the box takes the
    focus (tabindex=0) so a keyboard can scroll it, and is a named region for screen readers.
    Every page with one, and every template, so a new one cannot forget."""
    from pathlib import Path

    import hrw_sms.web.console as console

    templates = Path(console.__file__).parent / "templates" / "console"
    found = [m for t in templates.glob("*.html") for m in SCROLLER.findall(t.read_text())]
    assert len(found) >= 5
    for attributes in found:
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes, attributes
        assert re.search(r'aria-label="[^"]+"', attributes), attributes
    user = ConsoleUser(world, COORD)
    user.sign_in()
    usage = user.get(f"/console/groups/{GROUP}/usage").get_data(as_text=True)
    assert '<div class="scroll" tabindex="0" role="region" aria-label="Counts by day">' in usage


def test_start_up_needs_hrw_secret_key_beside_the_auth_token(redis_url: str) -> None:
    from hrw_sms.app import create_app
    from hrw_sms.base.config import ConfigError

    with pytest.raises(ConfigError, match="HRW_SECRET_KEY"):
        create_app({"REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": "t" * 32,
                    "HRW_NUMBER_HASH_KEY": "k" * 32, "HRW_SECRET_KEY": ""})  # fmt: skip
    _ = timedelta


def test_cancel_previews_the_notice_then_cancels_on_confirm(world: World) -> None:
    world.clock.set(NOW)
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/cancel"
    before = sends(world)
    past = user.post(path, meeting="forbes-tuesday", date="2026-11-17")
    assert past.status_code == 400 and "over" in past.get_data(as_text=True)
    assert "Tuesday Night at the Library on 2026-11-17 is already over" in past.get_data(
        as_text=True
    )  # the meeting's name, not its slug
    other = user.post(path, meeting="holyoke-focused", date="2026-11-26")
    assert other.status_code == 400
    preview = user.post(path, meeting="forbes-tuesday", date="2026-12-01")
    assert preview.status_code == 200 and "will be told" in preview.get_data(as_text=True)
    assert 'id="notice">' in preview.get_data(as_text=True)
    assert sends(world) == before and not world.app.extensions["hrw"].directory.load().cancelled
    done = user.post(path, meeting="forbes-tuesday", date="2026-12-01", confirm="yes")
    assert done.status_code == 302
    assert world.app.extensions["hrw"].directory.load().cancelled
    again = user.post(path, meeting="forbes-tuesday", date="2026-12-01", confirm="yes")
    assert again.status_code == 400 and "already cancelled" in again.get_data(as_text=True)
    world.work()
    audit = user.get(f"/console/groups/{GROUP}/audit").get_data(as_text=True)
    assert "Tue Nov 24, 10:00 AM" in audit and "(UTC)" not in audit  # the group's time
    overview = user.get(f"/console/groups/{GROUP}").get_data(as_text=True)
    assert "Cancel…" in overview


def test_usage_counts_texts_lists_details_subscriptions_reminders_and_calls(world: World) -> None:
    from tests.conftest import PUBLIC_URL, TOKEN
    from tests.voice_call import Call

    world.clock.set(NOW)
    phone = world.phone(PEOPLE[0])
    listing = phone.text("MEETINGS 01060")
    (line,) = [x for x in listing.splitlines() if "Tuesday Night" in x]
    phone.text(line.split(".")[0])
    phone.text("REMIND " + line.split(".")[0])
    Call(world.app.test_client(), TOKEN, PUBLIC_URL).start()
    world.clock.set(NOW.replace(hour=17, minute=30))  # the reminder, an hour before 18:00
    world.work()
    user = ConsoleUser(world, COORD)
    user.sign_in()
    day = NOW.astimezone(UTC).date()
    counts = {k.decode(): int(v) for k, v in world.redis.hgetall(keys.usage(day)).items()}
    assert counts["texts_received"] == 3 and counts["lists_sent"] == 1
    assert counts["details_asked"] == 1 and counts["subscriptions"] == 1
    assert counts["calls"] == 1 and counts["reminders_sent"] == 1
    assert not any(k.startswith("+") or "555" in k for k in counts)  # counters, never who
    page = user.get(f"/console/groups/{GROUP}/usage").get_data(as_text=True)
    assert "Texts received</th><td>3<" in page.replace("\n", "") and "<rect" in page
    # The line's day turns over at midnight UTC: said in the group's time, not as UTC.
    assert "start a new day at 7:00 PM HRW Northampton time" in page and "UTC" not in page
    assert "runs from 7:00 PM the day before" in page


def test_codes_per_number_are_limited(world: World) -> None:
    user = ConsoleUser(world, COORD)
    for _ in range(7):
        assert user.ask_code().status_code == 200  # the same page every time
    assert len(user.codes()) == 5  # throttle "sign_in_code": 5 in 15 minutes
    # The page says to wait, and says it to a stranger asking as often (it reveals nothing).
    stranger = ConsoleUser(world, STRANGER)
    for _ in range(6):
        theirs = stranger.ask_code()
    ours = user.ask_code()
    strip = lambda r: r.get_data(as_text=True).split("<form")[0]  # noqa: E731
    assert "Wait 15 minutes" in strip(ours) and "we just texted" not in strip(ours)
    assert strip(ours) == strip(theirs)


def test_feed_sync_state_shows_on_the_overview(world: World) -> None:
    from hrw_sms.meetings import feedsync

    feedsync.add_feed(world.redis, "https://feeds.example.org/meetings.json", None, NOW)
    user = ConsoleUser(world, COORD)
    user.sign_in()
    page = user.get(f"/console/groups/{GROUP}").get_data(as_text=True)
    assert "https://feeds.example.org/meetings.json: not synced yet" in page


def test_feed_sync_times_read_in_the_groups_own_zone_never_utc(world: World) -> None:
    import json

    from hrw_sms.meetings import feedsync
    from tests.feed_server import FeedServer

    feed = [{"name": "Wednesday Walk and Talk", "slug": "wednesday-walk", "day": 3,
             "time": "19:00", "timezone": "America/New_York", "types": ["O"],
             "group": "HRW Northampton", "formatted_address": "1 Main St, Northampton, MA 01060"}]  # fmt: skip
    with FeedServer(json.dumps(feed)) as server:
        feedsync.add_feed(world.redis, server.url, None, NOW)
        at = NOW.astimezone(UTC)  # the workers' clock is UTC: 15:00 UTC is 10:00 AM here
        assert feedsync.sync_feed(world.redis, server.url, at).ok
        user = ConsoleUser(world, COORD)
        user.sign_in()
        page = user.get(f"/console/groups/{GROUP}").get_data(as_text=True)
        assert "in sync," in page and "checked Tue Nov 24, 10:00 AM" in page
        server.mode = "500"
        assert not feedsync.sync_feed(world.redis, server.url, at + timedelta(hours=1)).ok
        page = user.get(f"/console/groups/{GROUP}").get_data(as_text=True)
    assert "not updating</strong> since Tue Nov 24, 11:00 AM" in page
    assert "UTC" not in page and "15:00" not in page and "16:00" not in page
    assert "(America/New_York)" in page


def test_no_page_shows_a_time_in_utc(world: World) -> None:
    """Every page of a group with something on it (a feed, a broadcast, a host, a shift, an
    audit trail) shows times in the group's zone: no 'UTC', no ISO time, no +00:00."""
    from hrw_sms.meetings import feedsync

    world.clock.set(NOW.astimezone(UTC))  # a UTC clock, as on a server
    feedsync.add_feed(world.redis, "https://feeds.example.org/m.json", None, NOW)
    remind_tuesday_night(world, PEOPLE[0])
    for args in (("volunteer", "add", PEOPLE[1], "--group", GROUP),
                 ("shift", "add", PEOPLE[1], "--group", GROUP, "--day", "Tue", "--from", "09:00",
                  "--to", "12:00"),
                 ("host", "add", "+14135550800", "--group", GROUP),
                 ("host", "assign", "forbes-tuesday", "2026-12-01", "+14135550800")):  # fmt: skip
        assert world.cli(*args).exit_code == 0, args
    user = ConsoleUser(world, COORD)
    user.sign_in()
    base = f"/console/groups/{GROUP}"
    preview = user.post(base + "/broadcast", text="Room 3.").get_data(as_text=True)
    sent = user.post(base + "/broadcast", text="Room 3.", confirm="yes",
                     confirm_token=CONFIRM.search(preview).group(1))  # fmt: skip
    pages = {p: user.get(base + p).get_data(as_text=True) for p in (
        "", "/broadcast", "/roster", "/texts", "/volunteers", "/usage", "/audit", "/flyer")}  # fmt: skip
    pages["progress"] = user.get(sent.location).get_data(as_text=True)
    pages["cancel"] = user.post(base + "/cancel", meeting="forbes-tuesday",
                                date="2026-12-01").get_data(as_text=True)  # fmt: skip
    iso = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\+00:00|\bUTC\b|\bGMT\b")
    for name, page in pages.items():
        assert not iso.search(page), (name, iso.search(page))
    assert "Tue Nov 24, 10:00 AM" in pages["/audit"]
    assert "Tuesday 9:00 AM to 12:00 PM" in pages["/volunteers"]


def test_command_line_tools_need_no_secret_key(world: World) -> None:
    """`hrw-sms broadcast` builds the app's wiring, not its pages: no HRW_SECRET_KEY needed."""
    from click.testing import CliRunner

    from hrw_sms.cli import main

    env = {**world.env, "HRW_SECRET_KEY": ""}
    result = CliRunner().invoke(main, ["broadcast", "--group", GROUP, "Hi", "--dry-run"],
                                env=env, obj={"clock": world.clock})  # fmt: skip
    assert result.exit_code == 0, result.output


def test_broadcast_refusals_count_as_sent_and_emoji_only_is_refused(world: World) -> None:
    """Over-long: counted in characters as sent, { and the like as 2 each (as carriers and
    the live counter count them), and "1 character" when one is over. All emoji: it would go
    out blank, so it is refused. A few emoji: sent without them, and the preview says so."""
    world.clock.set(NOW)
    remind_tuesday_night(world, PEOPLE[0])
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/broadcast"
    before = sends(world)
    frame = len("HRW Northampton: \nReply STOP to end texts.")
    fits = (459 - frame) // 2  # braces that fit: each counts 2
    assert user.post(path, text="{" * fits).status_code == 200
    over = user.post(path, text="{" * (fits + 1), confirm="yes")
    said = html.unescape(over.get_data(as_text=True))
    length = frame + 2 * (fits + 1)
    assert over.status_code == 400 and (
        f"That broadcast would be {length} characters as sent (counting {{ as 2 each), 4 texts."
        in said
    )
    cut = length - 459
    assert f"cut about {cut} character{'s' if cut != 1 else ''}." in said
    one_over = user.post(path, text="x" * (459 - frame + 1))
    said = html.unescape(one_over.get_data(as_text=True))
    assert (
        one_over.status_code == 400 and "cut about 1 character." in said and "(counting" not in said
    )
    for words, how in (
        ("\U0001f600" * 100, "arrive empty"),
        ("\U0001f389" * 6 + " ok", "lose most"),
    ):
        refused = user.post(path, text=words, confirm="yes")
        said = html.unescape(refused.get_data(as_text=True))
        assert refused.status_code == 400 and f"That broadcast would {how}" in said
        assert "texts can't carry emoji" in said
    assert sends(world) == before
    preview = html.unescape(
        user.post(path, text="See you tonight \U0001f389").get_data(as_text=True)
    )
    # The emoji goes, and the space before it with it (no trailing space where it was).
    assert "HRW Northampton: See you tonight\nReply STOP" in preview
    assert 'id="dropped">Text messages cannot carry \U0001f389, so it is left out' in preview


def test_a_confirmed_broadcast_is_sent_once_however_often_send_is_pressed(world: World) -> None:
    world.clock.set(NOW)
    remind_tuesday_night(world, PEOPLE[0])
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/broadcast"
    preview = user.post(path, text="Room 3 tonight.").get_data(as_text=True)
    token = CONFIRM.search(preview).group(1)
    first = user.post(path, text="Room 3 tonight.", confirm="yes", confirm_token=token)
    again = user.post(path, text="Room 3 tonight.", confirm="yes", confirm_token=token)
    assert first.status_code == again.status_code == 302 and again.location == first.location
    assert world.redis.get(keys.BROADCAST_SEQ) == b"1"
    world.work()
    assert sum("Room 3 tonight" in t for t in world.texts_to(PEOPLE[0])) == 1
    # A token for another text, or a made-up one, sends nothing and offers a fresh Send.
    other = CONFIRM.search(user.post(path, text="Other.").get_data(as_text=True)).group(1)
    swapped = user.post(path, text="Changed.", confirm="yes", confirm_token=other)
    made_up = user.post(path, text="Other.", confirm="yes", confirm_token="x" * 43)
    assert swapped.status_code == made_up.status_code == 409
    assert "nothing was sent" in made_up.get_data(as_text=True)
    assert CONFIRM.search(made_up.get_data(as_text=True))
    assert world.redis.get(keys.BROADCAST_SEQ) == b"1"
    stored = keys.console_confirm(hashlib.sha256(other.encode()).hexdigest())
    assert 0 < world.redis.ttl(stored) <= 15 * 60
    # "Change it" brings the text back into the box.
    back = user.post(path, text="Room 3 tonight.", edit="yes").get_data(as_text=True)
    assert ">Room 3 tonight.</textarea>" in back


def test_the_flyer_without_the_lines_number_says_so_and_prints_no_qr(redis_url: str) -> None:
    sid = "MG" + "0" * 32  # a Messaging Service sends; nobody set TWILIO_FROM_NUMBER
    with world_at(redis_url, NOW, TWILIO_FROM_NUMBER="", TWILIO_MESSAGING_SERVICE_SID=sid) as w:
        assert w.cli("coordinator", "add", COORD, "--group", GROUP).exit_code == 0
        user = ConsoleUser(w, COORD)
        user.sign_in()
        page = user.get(f"/console/groups/{GROUP}/flyer").get_data(as_text=True)
    assert "not set (TWILIO_FROM_NUMBER)" in page
    assert "<svg" not in page and "Text <strong>MEETINGS</strong> to" not in page


def test_a_broadcast_held_by_quiet_hours_says_when_it_will_go(world: World) -> None:
    world.clock.set(NOW)
    remind_tuesday_night(world, PEOPLE[0])
    world.clock.set(NOW.replace(hour=22))  # 10 PM in the group's zone: quiet hours
    user = ConsoleUser(world, COORD)
    user.sign_in()
    path = f"/console/groups/{GROUP}/broadcast"
    preview = user.post(path, text="Room 3.").get_data(as_text=True)
    assert "go at 8:00 AM Wed Nov 25" in preview
    token = CONFIRM.search(preview).group(1)
    sent = user.post(path, text="Room 3.", confirm="yes", confirm_token=token)
    world.work()
    progress = user.get(sent.location).get_data(as_text=True)
    assert "Held for quiet hours: the queued texts go at 8:00 AM Wed Nov 25" in progress
