"""`hrw-sms host ...` and `hrw-sms coordinator ...` against a real Redis, on the real clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from click.testing import CliRunner, Result
from rq.registry import ScheduledJobRegistry

from hrw_sms.base.config import Settings
from hrw_sms.cli import main
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import hosts
from tests.feeds import feed_text

NY = ZoneInfo("America/New_York")
GROUP = "hrw-northampton"


@pytest.fixture
def run(redis_url: str):
    DirectoryStore(redis.Redis.from_url(redis_url)).import_feed(feed_text())
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"REDIS_URL": redis_url})

    return invoke


@pytest.fixture
def services(redis_url: str) -> Services:
    return Services(Settings.from_env({"REDIS_URL": redis_url}), redis.Redis.from_url(redis_url))


def next_tuesday() -> date:
    """A Tuesday at least two days away (forbes-tuesday meets Tuesdays at 6pm)."""
    day = datetime.now(NY).date() + timedelta(days=2)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(result: Result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_host_add_takes_any_common_form_and_masks_it(run, services: Services) -> None:
    assert ok(run("host", "add", "(413) 555-0101", "--group", GROUP)) == (
        "+1******0101 is now a host of hrw-northampton\n"
    )
    assert "was already" in ok(run("host", "add", "+1 413.555.0101", "--group", GROUP))
    nid = services.number_id("+14135550101")
    assert hosts.number_of(services.redis, nid) == "+14135550101"
    assert hosts.hosts_of(services.redis, GROUP) == [nid]
    assert ok(run("host", "list")) == "hrw-northampton\t+1******0101\n"
    assert "0101" not in str([k for k in services.redis.keys("*")])


def test_host_add_refuses_bad_numbers_and_unknown_groups(run) -> None:
    assert "not a phone number" in refused(run("host", "add", "call me", "--group", GROUP))
    assert "no group 'nowhere'" in refused(run("host", "add", "4135550101", "--group", "nowhere"))


def test_assign_checks_weekday_date_and_host(run) -> None:
    run("host", "add", "4135550101", "--group", GROUP)
    tuesday = next_tuesday()
    wednesday = (tuesday + timedelta(days=1)).isoformat()
    line = refused(run("host", "assign", "forbes-tuesday", wednesday, "4135550101"))
    assert line == (
        f"Error: host assign: forbes-tuesday does not meet on Wednesday {wednesday} (it meets Tue)"
    )
    past = (tuesday - timedelta(days=14)).isoformat()
    assert refused(run("host", "assign", "forbes-tuesday", past, "4135550101")).endswith(
        f"{past} is past"
    )
    line = refused(run("host", "assign", "forbes-tuesday", tuesday.isoformat(), "4135550102"))
    assert "+1******0102 is not a host of hrw-northampton" in line
    assert "DATE must be YYYY-MM-DD" in refused(
        run("host", "assign", "forbes-tuesday", "next tuesday", "4135550101")
    )
    assert "no meeting 'nope'" in refused(run("host", "assign", "nope", "2030-01-01", "4135550101"))
    line = refused(run("host", "assign", "holyoke-focused", "2030-01-03", "4135550101"))
    assert "not a host of valley-focused" in line


def test_assign_refuses_a_cancelled_day_and_changes_nothing(run, services: Services) -> None:
    """The store refuses it (store.hosts.Cancelled), so the console says the same."""
    run("host", "add", "4135550101", "--group", GROUP)
    tuesday = next_tuesday()
    assert services.directory.set_cancelled("forbes-tuesday", tuesday, True)
    line = refused(run("host", "assign", "forbes-tuesday", tuesday.isoformat(), "4135550101"))
    assert line == (
        f"Error: host assign: forbes-tuesday is cancelled on Tue {tuesday.isoformat()}, so it "
        "has no host to set: choose another date"
    )
    assert hosts.hosting_of(services.redis, "forbes-tuesday", tuesday) is None
    later = (tuesday + timedelta(days=7)).isoformat()
    assert "hosts forbes-tuesday" in ok(
        run("host", "assign", "forbes-tuesday", later, "4135550101")
    )


def test_assign_reaches_the_schedule_at_once_and_shows_in_the_roster(
    run, services: Services
) -> None:
    run("host", "add", "4135550101", "--group", GROUP)
    tuesday = next_tuesday()
    out = ok(run("host", "assign", "forbes-tuesday", tuesday.isoformat(), "413-555-0101"))
    assert out.startswith(f"+1******0101 hosts forbes-tuesday on Tue {tuesday.isoformat()} 18:00")
    assert out.strip().endswith("3 job(s) scheduled")  # two prompts and the deadline
    scheduled = ScheduledJobRegistry(queue=queues.queue(services.redis, queues.REPLIES))
    assert len(scheduled.get_job_ids()) == 3
    assert "0 job(s)" in ok(
        run("host", "assign", "forbes-tuesday", tuesday.isoformat(), "4135550101")
    )
    zone_name = datetime.combine(tuesday, time(18), NY).tzname()  # EST or EDT
    assert ok(run("host", "roster")) == (
        f"{tuesday.isoformat()} Tue 18:00 {zone_name}\tforbes-tuesday\t+1******0101\tassigned\n"
    )
    assert ok(run("host", "roster", "--group", "hrw-online")) == ""


def test_roster_shows_who_covers(run, services: Services) -> None:
    for phone in ("4135550101", "4135550102"):
        run("host", "add", phone, "--group", GROUP)
    tuesday = next_tuesday()
    run("host", "assign", "forbes-tuesday", tuesday.isoformat(), "4135550101")
    rec = hosts.hosting_of(services.redis, "forbes-tuesday", tuesday)
    assert rec is not None
    alex, sam = services.number_id("+14135550101"), services.number_id("+14135550102")
    assert hosts.answer(services.redis, alex, rec.meeting, rec.day, rec.version, "declined")
    assert hosts.answer(services.redis, sam, rec.meeting, rec.day, rec.version + 1, "covered")
    line = ok(run("host", "roster", "--group", GROUP))
    assert line.rstrip().endswith("+1******0101\tcovered by +1******0102")


def test_host_remove_frees_their_coming_meetings(run, services: Services) -> None:
    run("host", "add", "4135550101", "--group", GROUP)
    tuesday = next_tuesday()
    run("host", "assign", "forbes-tuesday", tuesday.isoformat(), "4135550101")
    out = ok(run("host", "remove", "4135550101", "--group", GROUP))
    assert (
        out
        == "+1******0101 no longer hosts for hrw-northampton; 1 coming meeting(s) need a host now\n"
    )
    assert ok(run("host", "roster")) == ""
    assert hosts.hosting_of(services.redis, "forbes-tuesday", tuesday) is None
    nid = services.number_id("+14135550101")
    assert services.redis.keys(f"*{nid}*") == []
    line = refused(run("host", "remove", "4135550101", "--group", GROUP))
    assert line == "Error: host remove: +1******0101 is not a host of hrw-northampton"


def test_host_clear_takes_the_occurrence_off_the_roster(run, services: Services) -> None:
    run("host", "add", "4135550101", "--group", GROUP)
    tuesday = next_tuesday()
    line = refused(run("host", "clear", "forbes-tuesday", tuesday.isoformat()))
    assert line == f"Error: host clear: nobody is on the roster for forbes-tuesday on {tuesday}"
    run("host", "assign", "forbes-tuesday", tuesday.isoformat(), "4135550101")
    rec = hosts.hosting_of(services.redis, "forbes-tuesday", tuesday)
    assert rec is not None and hosts.mark_prompted(services.redis, rec)
    alex = services.number_id("+14135550101")
    assert hosts.answer(services.redis, alex, rec.meeting, rec.day, rec.version, "confirmed")
    out = ok(run("host", "clear", "forbes-tuesday", tuesday.isoformat()))
    assert out == (
        f"forbes-tuesday on {tuesday} has no host now (was +1******0101, confirmed); told by text\n"
    )
    assert hosts.hosting_of(services.redis, "forbes-tuesday", tuesday) is None
    assert ok(run("host", "roster")) == ""
    # The notice is a job, planned at once (workers.hosts.cleared sends it).
    scheduled = ScheduledJobRegistry(queue=queues.queue(services.redis, queues.REPLIES))
    jobs = [queues.queue(services.redis, queues.REPLIES).fetch_job(j)
            for j in scheduled.get_job_ids()]  # fmt: skip
    assert [j.func_name for j in jobs if j and "cleared" in j.func_name] == [
        "workers.hosts.cleared"
    ]
    assert "no meeting 'nope'" in refused(run("host", "clear", "nope", tuesday.isoformat()))
    past = (tuesday - timedelta(days=14)).isoformat()
    assert refused(run("host", "clear", "forbes-tuesday", past)).endswith(f"{past} is past")
    assert "YYYY-MM-DD" in refused(run("host", "clear", "forbes-tuesday", "next week"))


def test_coordinator_add_list_remove(run, services: Services) -> None:
    assert ok(run("coordinator", "add", "(413) 555-0199", "--group", GROUP)) == (
        "+1******0199 is now a coordinator of hrw-northampton\n"
    )
    run("coordinator", "add", "4135550198", "--group", "hrw-online")
    assert ok(run("coordinator", "list")) == (
        "hrw-northampton\t+1******0199\nhrw-online\t+1******0198\n"
    )
    assert ok(run("coordinator", "list", "--group", "hrw-online")) == "hrw-online\t+1******0198\n"
    assert ok(run("coordinator", "remove", "4135550199", "--group", GROUP)) == (
        "+1******0199 no longer coordinates hrw-northampton\n"
    )
    assert "is not a coordinator" in refused(
        run("coordinator", "remove", "4135550199", "--group", GROUP)
    )
    assert services.redis.keys(f"*{services.number_id('+14135550199')}*") == []


@pytest.mark.parametrize("command", ["host", "coordinator"])
def test_every_command_has_help(run, command: str) -> None:
    assert "Usage:" in ok(run(command, "--help"))
    subcommands = ["add", "remove", "list"] + (
        ["assign", "clear", "roster"] if command == "host" else []
    )
    for sub in subcommands:
        assert "Usage:" in ok(run(command, sub, "--help"))
