"""The console in a real browser: Playwright driving Debian's chromium, headless, against
the web app served on localhost, with real RQ workers sending to the fake Twilio API.

A coordinator signs in with the code the fake carrier received, broadcasts and sees it
reach the fake API, assigns a host and sees the roster, edits the welcome and texts
WELCOME; a second coordinator cannot open the first one's group; a POST without the
CSRF token is refused. Skipped without /usr/bin/chromium (fails in CI, like the simulator
test). HRW_UPDATE_SCREENSHOT=1 also writes the README's docs/console-phone.png and
docs/console-desktop.png."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from werkzeug.serving import make_server

from flows.render_sms import broadcast_text
from tests.console_client import CODE
from tests.test_simulator_browser import browser, demo  # noqa: F401
from tests.worker_world import SENDER, World, world_at

NOW = datetime.fromisoformat("2026-11-24T10:00:00-05:00")
COORD, OTHER, HOST = "+14135550900", "+14135550901", "+14135550800"
PEOPLE = ["+14135550301", "+14135550302"]
GROUP = "hrw-northampton"
DOCS = Path(__file__).resolve().parent.parent / "docs"
# The visible elements whose right edge lies past the viewport's (cut off, or scrolled away).
OVERFLOWING = """() => [...document.querySelectorAll("main *")]
  .filter(e => e.getClientRects().length && e.getBoundingClientRect().width > 1)
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(e => e.tagName + ":" + (e.textContent || "").trim().slice(0, 30))"""


@pytest.fixture
def served(redis_url: str) -> Iterator[tuple[World, str]]:
    with world_at(redis_url, NOW, HRW_QUIET_HOURS="off") as world:
        for number, group in ((COORD, GROUP), (OTHER, "valley-focused")):
            assert world.cli("coordinator", "add", number, "--group", group).exit_code == 0
        for number in PEOPLE:
            phone = world.phone(number)
            (line,) = [x for x in phone.text("MEETINGS 01060").splitlines() if "Tuesday" in x]
            phone.text("REMIND " + line.split(".")[0])
        world.work()
        server = make_server("localhost", 0, world.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield world, f"http://localhost:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(5)


def frame_of(message: str) -> str:
    """The broadcast as sent, for the message (the server's own rendering)."""
    return broadcast_text("en", "HRW Northampton", message)


def sign_in(page, world: World, base: str, number: str) -> None:
    page.goto(base + "/console")
    page.get_by_label("Your phone number").fill(number)
    page.get_by_role("button", name="Text me a code").click()
    page.get_by_label("Code").wait_for()
    world.work()  # the workers send the code to the fake carrier
    (code,) = [m.group(1) for b in world.texts_to(number) if (m := CODE.search(b))][-1:]
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_coordinator_runs_the_group_from_a_browser(browser, served) -> None:  # noqa: F811
    world, base = served
    phone_width = browser.new_context(viewport={"width": 360, "height": 780})
    page = phone_width.new_page()
    sign_in(page, world, base, COORD)
    assert page.url.endswith(f"/console/groups/{GROUP}")
    assert page.get_by_role("heading", name="HRW Northampton").is_visible()
    # No sideways scrolling at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Broadcast").click()
    page.get_by_label("Your message").fill("We moved to room 3 tonight.")
    assert "about 1 of 3 texts" in page.locator("#text-count").inner_text()  # the live counter
    # The counter folds as the server does (dashes, curly quotes, ellipsis, no-break space,
    # á) and adds the real name and STOP line: at the 160/161 edge it agrees with the preview.
    words = "Room 3 \u2014 \u201ctonight\u201d\u2026 \u00a1Est\u00e1 bien!\u00a0See you"
    for extra, cost in ((0, "1 text each"), (1, "2 texts each")):
        message = words + " " + "x" * (160 + extra - len(frame_of(words + " x")) + 1)
        assert len(frame_of(message)) == 160 + extra
        page.get_by_label("Your message").fill(message)
        counted = page.locator("#text-count").inner_text()
        page.get_by_role("button", name="Preview").click()
        assert cost in page.locator("main").inner_text()
        assert f"about {cost[0]} of 3 texts" in counted, (counted, cost)
        page.get_by_role("button", name="Change it").click()
        assert page.get_by_label("Your message").input_value() == message
    page.get_by_label("Your message").fill("We moved to room 3 tonight.")
    page.get_by_role("button", name="Preview").click()
    final = "HRW Northampton: We moved to room 3 tonight.\nReply STOP to end texts."
    assert page.locator("#final").text_content() == final
    assert not any(final in b for n in PEOPLE for b in world.texts_to(n))
    page.get_by_role("button", name="Send it to 2").click()
    world.work()
    for number in PEOPLE:
        assert world.texts_to(number)[-1] == final
    page.reload()
    assert "2 in all: 0 queued, 2 sent" in page.locator("#progress").inner_text()

    page.get_by_role("link", name="Roster").click()
    page.get_by_label("Phone to add or remove as a host").fill(HOST)
    page.get_by_role("button", name="Add as host").click()
    page.get_by_label("Meeting").select_option("forbes-tuesday")
    page.get_by_label("Date").fill("2026-12-01")
    page.get_by_label("Phone of the host to assign").fill(HOST)
    page.get_by_role("button", name="Assign").click()
    roster = page.locator("main").inner_text()
    assert "+1******0800 · assigned" in roster and HOST not in page.content()
    # Clear it again, by keyboard: the button asks first, and says who would be texted.
    page.get_by_role("button", name="Clear the host of Tuesday Night at the Library on "
                     "2026-12-01").focus()  # fmt: skip
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Nobody is texted about it." in page.locator(".confirm").inner_text()
    assert page.evaluate(OVERFLOWING) == []
    page.get_by_role("button", name="Clear the host", exact=True).click()
    assert "has no host now" in page.locator(".done").inner_text()
    page.get_by_label("Meeting").select_option("forbes-tuesday")
    page.get_by_label("Date").fill("2026-12-01")
    page.get_by_label("Phone of the host to assign").fill(HOST)
    page.get_by_role("button", name="Assign").click()
    assert "+1******0800 · assigned" in page.locator("main").inner_text()

    page.get_by_role("link", name="Texts").click()
    page.get_by_label("Welcome", exact=True).fill("Welcome to Northampton! Coffee is at 5:45.")
    page.get_by_label("Welcome in Spanish").fill("Bienvenidos a Northampton. Cafe a las 5:45.")
    counted = page.locator("#welcome_es-count").inner_text()
    page.get_by_role("button", name="Save").click()
    assert "Saved" in page.locator("main").inner_text()
    sent = page.locator("#welcome_es-sent").inner_text()
    assert sent.startswith("HRW Northampton: Bienvenidos a Northampton. Cafe a las 5:45.")
    assert "about 1 of 3 texts" in counted and "1 text:" in page.locator("main").inner_text()
    assert page.evaluate(OVERFLOWING) == []
    newcomer = world.phone("+14135550399")
    (line,) = [x for x in newcomer.text("MEETINGS 01060").splitlines() if "Tuesday" in x]
    newcomer.text(line.split(".")[0])
    assert "Welcome to Northampton! Coffee is at 5:45." in newcomer.text("WELCOME")
    nuevo = world.phone("+14135550398")
    (line,) = [x for x in nuevo.text("REUNIONES 01060").splitlines() if "Tuesday" in x]
    nuevo.text(line.split(".")[0])
    assert "Bienvenidos a Northampton. Cafe a las 5:45." in nuevo.text("BIENVENIDA")

    # At 360 px the overview (Cancel buttons) and the audit fit: no element past the edge.
    for name in ("Overview", "Roster", "Audit"):
        page.get_by_role("link", name=name, exact=True).click()
        assert page.locator("main table tr").count() >= 2
        past = page.evaluate(OVERFLOWING)
        assert past == [], (name, past)

    # No CSRF token: refused, nothing sent.
    before = len(world.fake.sends())
    refused = page.request.post(f"{base}/console/groups/{GROUP}/broadcast",
                                form={"text": "Sneaky", "confirm": "yes"})  # fmt: skip
    assert refused.status == 400
    world.work()
    assert len(world.fake.sends()) == before

    if os.environ.get("HRW_UPDATE_SCREENSHOT"):
        page.get_by_role("link", name="Overview").click()
        page.screenshot(path=str(DOCS / "console-phone.png"), full_page=True)
        desk = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        sign_in(desk, world, base, COORD)
        desk.goto(f"{base}/console/groups/{GROUP}/roster")
        desk.screenshot(path=str(DOCS / "console-desktop.png"), full_page=True)

    other = browser.new_context().new_page()
    sign_in(other, world, base, OTHER)
    assert other.url.endswith("/console/groups/valley-focused")
    assert other.goto(f"{base}/console/groups/{GROUP}").status == 404


def test_volunteers_and_shifts_are_kept_from_a_phone(browser, served) -> None:  # noqa: F811
    world, base = served
    page = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
    sign_in(page, world, base, COORD)
    page.get_by_role("link", name="Volunteers").click()
    assert "No volunteers yet." in page.locator("main").inner_text()
    page.get_by_label("Phone of the new volunteer").fill("(413) 555-0401")
    page.get_by_role("button", name="Add volunteer").click()
    assert "+1******0401 is now a volunteer" in page.locator(".done").inner_text()
    page.get_by_label("Phone of the volunteer").fill("413-555-0401")
    page.get_by_label("Day").select_option(label="Saturday")
    page.get_by_label("From").fill("22:00")
    page.get_by_label("To", exact=True).fill("02:00")
    page.get_by_role("button", name="Add shift").click()
    table = page.locator("main table").inner_text()
    assert "Saturday 10:00 PM to 2:00 AM (next day)" in table and "+1******0401" in table
    assert "4135550401" not in page.content()
    assert page.evaluate(OVERFLOWING) == []  # the cards fit at 360 px
    assert "Sat 22:00-02:00 (next day)" in world.cli("shift", "list").output
    # By keyboard: remove the shift, then the volunteer.
    page.get_by_role("button", name="Remove +1******0401's shift Saturday 10:00 PM to "
                     "2:00 AM (next day)").focus()  # fmt: skip
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "no longer has Saturday" in page.locator(".done").inner_text()
    page.get_by_role("button", name="Remove volunteer +1******0401").click()
    assert "No volunteers yet." in page.locator("main").inner_text()
    assert "+1******0401" not in world.cli("volunteer", "list").output


def test_the_live_counter_counts_as_the_refusal_does_and_names_dropped_emoji(
    browser,  # noqa: F811
    served,
) -> None:
    """The counter counts characters as sent, { as 2 (the server's refusal says the same
    number), and says which emoji are left out rather than counting them."""
    world, base = served
    page = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
    sign_in(page, world, base, COORD)
    page.get_by_role("link", name="Broadcast").click()
    frame = len(frame_of(""))
    braces = (459 - frame) // 2 + 1
    page.get_by_label("Your message").fill("{" * braces)
    counted = page.locator("#text-count").inner_text()
    length = frame + 2 * braces
    assert f"{length} characters as sent (counting {{ as 2 each), about 4 of 3 texts" in counted
    page.get_by_role("button", name="Preview").click()
    assert f"would be {length} characters as sent (counting {{ as 2 each)" in (
        page.locator("main").inner_text()
    )
    party = "See you \U0001f389 tonight \U0001f389"
    page.get_by_label("Your message").fill(party)
    counted = page.locator("#text-count").inner_text()
    assert "Text messages cannot carry \U0001f389, so it is left out when sent." in counted
    assert f"{len(frame_of(party))} characters as sent" in counted


def test_the_flyers_qr_codes_open_a_text_to_the_line_saying_meetings_or_reuniones(
    browser,  # noqa: F811
    served,
) -> None:
    """The QR codes as Chromium draws them, photographed and decoded (zxing-cpp): they open a
    text to the line's own number (tests/worker_world.SENDER) with the body MEETINGS, or
    REUNIONES for the Spanish one."""
    world, base = served
    page = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
    sign_in(page, world, base, COORD)
    page.get_by_role("link", name="Flyer").click()
    assert "Text MEETINGS to (413) 555-0000." in page.locator(".flyer").inner_text()
    assert page.evaluate(OVERFLOWING) == []
    # One code a language: REUNIONES gets Spanish answers (flows.keywords).
    for figure, word in (("#qr-en", "MEETINGS"), ("#qr-es", "REUNIONES")):
        shot = page.locator(f"{figure} svg").screenshot()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
        assert [(b.format, b.text) for b in found] == [
            (zxingcpp.BarcodeFormat.QRCode, f"sms:{SENDER}?body={word}")
        ]
    assert "Escanea para escribir REUNIONES" in page.locator("#qr-es figcaption").inner_text()
    # Printed, the page keeps the flyer and drops the console around it.
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()
    assert page.locator("#qr-en svg").is_visible() and page.locator("#qr-es svg").is_visible()


def test_the_demos_example_coordinator_signs_in_with_the_code_in_the_outbox(
    browser,  # noqa: F811
    demo,  # noqa: F811
) -> None:
    import json
    from urllib.request import urlopen

    from hrw_sms.demo.world import DEMO_COORDINATOR, DEMO_GROUP

    base = f"http://127.0.0.1:{demo.port}"
    assert f"{base}/console" in demo.output and DEMO_COORDINATOR in demo.output
    page = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
    page.goto(base + "/console")
    page.get_by_label("Your phone number").fill(DEMO_COORDINATOR)
    page.get_by_role("button", name="Text me a code").click()
    code = None
    for _ in range(100):  # the demo's own worker sends it to the local carrier
        with urlopen(f"{base}/demo/outbox", timeout=5) as response:
            texts = json.loads(response.read())["texts"]
        found = [CODE.search(t["body"]) for t in texts if t["to_number"] == DEMO_COORDINATOR]
        if found and found[0]:
            code = found[0].group(1)
            break
        page.wait_for_timeout(100)
    assert code is not None, demo.output[-3000:]
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/console/groups/{DEMO_GROUP}")
