"""The phone simulator in a real browser: Playwright driving Debian's chromium, headless.

`hrw-sms demo` runs as a subprocess, as a newcomer starts it; the page texts MEETINGS, asks
for a reminder, moves the demo clock, sees the reminder "sent", and calls the voice line.
Never a Playwright browser download: without /usr/bin/chromium (or the playwright package)
the test is skipped locally and fails in CI, where .ci/run installs both.

HRW_UPDATE_SCREENSHOT=1 also writes the README's screenshot, docs/simulator.png."""

from __future__ import annotations

import os
import re
import shutil
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.test_demo import Demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "simulator.png"
# What a client takes for "the message box": the first visible text field on the page.
TEXT_FIELDS = (
    "textarea:visible, input:not([type]):visible, input[type=text]:visible, "
    "input[type=tel]:visible, input[type=search]:visible"
)


def _missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


@pytest.fixture
def browser():
    problem = _missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test, but {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def demo(tmp_path: Path):
    d = Demo(tmp_path)
    yield d
    if d.process.poll() is None:
        d.stop()
    print(d.output[-6000:])  # shown when the test fails


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def remindable(listing: str) -> tuple[int, str] | None:
    """A list number (and its meeting's name) whose meeting starts 65 minutes to 26 hours from
    now: its reminder (an hour before) is planned at once (the planner looks 26 hours past the
    lead), and it is a text the demo clock brings forward."""
    from flows.occurrences import next_occurrence
    from hrw_sms.meetings.feed import example_feed, parse_feed

    now = datetime.now(UTC)
    meetings = parse_feed(example_feed(), existing_groups={}).meetings.values()
    soon = []
    for meeting in meetings:
        occ = next_occurrence(meeting, now)
        if occ and timedelta(minutes=65) <= occ.start - now <= timedelta(hours=26):
            soon.append(meeting.name)
    for line in listing.splitlines():
        number, _, rest = line.partition(". ")
        for name in soon:
            if number.isdigit() and _plain(name) in _plain(rest):
                return int(number), name
    return None


def bring_forward(page, sent, *, now: bool) -> None:
    """Press "Send the due reminders now" (first if `now`, else only if `sent` does not show
    up by itself) until `sent` shows as sent: quiet hours or host prompts may come first."""
    from playwright.sync_api import expect

    for attempt in range(12):
        if now or attempt:
            page.get_by_role("button", name="Send the due reminders now").click()
            status = page.locator("#clock-status")
            expect(status).to_have_text(re.compile("Released|Nothing was due"))
        try:
            expect(sent).to_have_count(1, timeout=3_000)
            return
        except AssertionError:
            continue
    expect(sent).to_have_count(1)


def test_the_simulator_in_a_real_browser(browser, demo: Demo, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    started = time.monotonic()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"http://127.0.0.1:{demo.port}/")

    expect(page.get_by_text("Nothing here reaches a real phone")).to_be_visible()
    expect(page.get_by_role("heading", name="Demo clock")).to_contain_text("demo only")
    expect(page.locator("#identity option")).not_to_have_count(1)  # identities loaded
    assert "Coordinator" in page.locator("#identity").inner_text()

    # The message box is the first visible text field; Enter sends it.
    box = page.locator(TEXT_FIELDS).first
    expect(box).to_have_attribute("id", "message")
    replies = page.locator(".bubble.them")
    box.fill("MEETINGS")
    box.press("Enter")
    expect(replies).to_have_count(1)
    listing = replies.first.inner_text()
    assert "Coming up:" in listing and "Example:" in listing
    assert box.input_value() == ""

    found = remindable(listing)
    while found is None and replies.count() < 3:  # the meeting may be on the next page
        pages = replies.count()
        box.fill("MORE")
        box.press("Enter")
        expect(replies).to_have_count(pages + 1)
        listing = replies.last.inner_text()
        found = remindable(listing)
    assert found, f"no meeting 65 minutes to 26 hours away on the list:\n{listing}"
    n, name = found
    sent = replies.count()
    box.fill(f"REMIND {n}")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(replies).to_have_count(sent + 1)
    expect(replies.last).to_contain_text("you'll get a text 1 hour before")
    assert _plain(name) in _plain(replies.last.inner_text())

    # The demo clock brings the reminder forward; the workers send it to the local carrier.
    reminder = page.locator("#outbox li.mine", has_text="reminder:")
    bring_forward(page, reminder, now=True)
    expect(reminder).to_contain_text("+1******0123")
    expect(reminder).not_to_contain_text("5550123")  # masked
    assert _plain(name) in _plain(reminder.inner_text())
    expect(page.locator("#clock-now")).not_to_have_text("…")
    # It also lands on the phone, marked as sent by the workers.
    expect(page.locator(".bubble.worker", has_text="reminder:")).to_have_count(1)

    # Any number: a neighbour subscribes to a meeting of the coordinator's group.
    page.locator("#other-number").fill("(413) 555-0177")
    page.get_by_role("button", name="Use it").click()
    expect(page.locator("#current-number")).to_have_text("+14135550177")
    expect(replies).to_have_count(0)  # a conversation of its own
    box.fill("MEETINGS 01060")
    box.press("Enter")
    expect(replies).to_have_count(1)
    near = [x for x in replies.first.inner_text().splitlines() if "Example: Northampton" in x]
    assert near, replies.first.inner_text()
    box.fill("REMIND " + near[0].split(".")[0])
    box.press("Enter")
    expect(replies.nth(1)).to_contain_text("Example: HRW Northampton")

    # The coordinator broadcasts to the group: a preview, YES, and it goes out.
    coordinator = page.locator("#identity option[data-role=coordinator]").first
    page.locator("#identity").select_option(coordinator.get_attribute("value"))
    expect(page.locator(".chip", has_text="BROADCAST")).to_be_visible()
    box.fill("BROADCAST Tonight we meet in the garden room. Snacks as usual.")
    box.press("Enter")
    expect(replies).to_have_count(2)  # what it will read is a text of its own
    expect(replies.first).to_contain_text("Reply YES to send it")
    box.fill("YES")
    box.press("Enter")
    expect(replies.nth(2)).to_contain_text("Sending to")
    broadcast = page.locator("#outbox li", has_text="garden room").filter(has_text="+1******0177")
    bring_forward(page, broadcast, now=False)
    broadcast.get_by_role("button", name="Reply from +1******0177").click()
    expect(page.locator("#current-number")).to_have_text("+14135550177")
    expect(page.locator(".bubble.worker", has_text="garden room")).to_have_count(1)

    page.locator("#identity").select_option("+14135550123")  # back to the first phone
    expect(page.locator(".bubble.worker", has_text="reminder:")).to_have_count(1)

    # The voice line: the greeting, then 1 for meetings.
    page.get_by_role("button", name="Call the line").click()
    said = page.locator("#call-log .said")
    expect(said.filter(has_text="press 1")).not_to_have_count(0)
    expect(said.filter(has_text="oprime 9")).to_contain_text("Spanish (es-US)")
    page.get_by_role("group", name="Keypad").get_by_role("button", name="1", exact=True).click()
    expect(page.locator("#call-log")).to_contain_text("You pressed 1")
    expect(said.filter(has_text="Example:")).not_to_have_count(0)
    expect(page.get_by_role("button", name="Stay silent")).to_be_enabled()

    shot = tmp_path / "simulator.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("HRW_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)

    # The peer line: 7 at the main menu rings the example volunteer, whose phone the page
    # plays: they hear the whisper, press 1, and the call is put through.
    keypad = page.get_by_role("group", name="Keypad")
    keypad.get_by_role("button", name="Star", exact=True).click()
    expect(said.filter(has_text="press 7")).not_to_have_count(0)
    keypad.get_by_role("button", name="7", exact=True).click()
    expect(page.locator("#call-log")).to_contain_text(
        "Ringing the volunteers on shift: +1******0193"
    )
    page.get_by_role("button", name="Answer as the volunteer and press 1").click()
    expect(
        said.filter(has_text="Volunteer hears: This is a call from the H R W peer line")
    ).to_have_count(1)
    expect(page.locator("#call-log")).to_contain_text("you were put through")
    expect(page.locator("#call-log")).to_contain_text("The line hung up.")

    # Phone width: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    expect(page.locator(TEXT_FIELDS).first).to_have_attribute("id", "message")

    assert not errors, errors
    assert "5550123" not in "".join(x for x in demo.lines if "curl -s" not in x)
    assert time.monotonic() - started < 90
