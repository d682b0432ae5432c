"""FORGET erases everything tied to the number (issue 9, item 2). A number is used for real
(subscriber, coordinator, host; reminders, prompts and broadcasts sent by a real RQ worker
to the fake Twilio API; status callbacks; a text held for quiet hours), then says FORGET.
Every Redis key and value is listed (SCAN, each type read whole, RQ jobs unpickled) before
and after: afterwards neither its number, its id nor its masked form is anywhere."""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator
from datetime import datetime

import pytest
import redis
from twilio.request_validator import RequestValidator

from hrw_sms.base.phone import mask
from hrw_sms.store import keys
from tests.conftest import PUBLIC_URL, TOKEN
from tests.worker_world import World, world_at
from workers.reminder_plans import plan_all

X = "+14135550150"  # the one who says FORGET
Y = "+14135550160"  # a neighbour whose data must stay
GROUP = "hrw-northampton"
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00-05:00")  # forbes-tuesday: 11-24, 6 PM


def _text(value: bytes) -> str:
    return value.decode(errors="replace")


def _job_data(raw: bytes) -> str:
    """An RQ job's `data` field as text: zlib-compressed pickle of (func, instance, args,
    kwargs); anything else as it is."""
    try:
        return repr(pickle.loads(zlib.decompress(raw)))
    except (zlib.error, pickle.UnpicklingError, EOFError, ValueError):
        return _text(raw)


def dump(client: redis.Redis) -> dict[str, str]:
    """Every key and its whole value as text, by type."""
    found: dict[str, str] = {}
    for key in client.scan_iter(count=1000):
        kind = _text(client.type(key))
        if kind == "string":
            value = _text(client.get(key) or b"")
        elif kind == "hash":
            value = " ".join(
                f"{_text(f)}={_job_data(v) if f == b'data' else _text(v)}"
                for f, v in client.hgetall(key).items()
            )
        elif kind == "list":
            value = " ".join(_text(v) for v in client.lrange(key, 0, -1))
        elif kind == "set":
            value = " ".join(_text(v) for v in client.smembers(key))
        elif kind == "zset":
            value = " ".join(_text(v) for v in client.zrange(key, 0, -1))
        elif kind == "stream":
            value = repr(client.xrange(key))
        else:
            value = f"<{kind}>"
        found[_text(key)] = value
    return found


def traces(contents: dict[str, str], *needles: str) -> dict[str, str]:
    """The keys whose name or value holds any of `needles`."""
    return {k: v for k, v in contents.items() if any(n in k or n in v for n in needles)}


def post_status(world: World, sid: str, state: str) -> None:
    url, form = world.fake.status_callback(sid, state)
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    answer = world.app.test_client().post(
        url.removeprefix(PUBLIC_URL), data=form, headers={"X-Twilio-Signature": signature}
    )
    assert answer.status_code == 200


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, MONDAY, HRW_HOST_REMINDERS="48h,2h") as w:
        yield w


def use_the_line(world: World) -> None:
    """X (and Y) as real people would: everything that leaves a trace of X in Redis."""
    for number in (X, Y):
        phone = world.phone(number)
        phone.text("MEETINGS 01060")
        assert "Tuesday Night" in phone.text("REMIND 1")
    x = world.phone(X)
    x.text("ESPANOL")
    x.text("ENGLISH")
    for args in (
        ("coordinator", "add", X, "--group", GROUP),
        ("host", "add", X, "--group", GROUP),
        ("host", "add", Y, "--group", GROUP),
        ("host", "assign", "forbes-tuesday", "2026-11-24", X),
    ):
        result = world.cli(*args)
        assert result.exit_code == 0, result.output
    world.work()  # the first hosting prompt (its 48 h lead has passed): at once
    assert any("host" in t.lower() for t in world.texts_to(X)), world.texts_to(X)
    x.text("YES")
    x.text("EXERCISE a short reading on harm reduction")
    x.text("BROADCAST Bring a friend on Tuesday.")
    x.text("YES")
    world.work()
    world.clock.set(datetime.fromisoformat("2026-11-24T16:58:00-05:00"))
    plan_all(world.app.extensions["hrw"])  # the minute tick: plans the 5 PM reminder
    world.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
    world.work()
    assert any("reminder" in t for t in world.texts_to(X)), world.texts_to(X)
    for request in world.fake.sends(X):
        post_status(world, request.sid or "", "delivered")
    # At night (quiet hours): a broadcast waits for the morning as one scheduled job a text.
    world.clock.set(datetime.fromisoformat("2026-11-24T22:00:00-05:00"))
    x.text("BROADCAST Thanks for coming tonight.")
    x.text("YES")
    world.work()


def test_forget_leaves_nothing_of_the_number_in_redis(world: World) -> None:
    use_the_line(world)
    services = world.app.extensions["hrw"]
    x_id, y_id = services.number_id(X), services.number_id(Y)
    needles = (X, X[2:], x_id, mask(X))
    before = dump(world.redis)
    found = traces(before, *needles)
    # Real use left X in many places: keyed by its id, and as a value elsewhere.
    assert len(world.texts_to(X)) >= 4, world.texts_to(X)  # prompt, broadcast, reminder, ...
    assert any(k.startswith("rq:job:") for k in found), sorted(found)  # the held text
    assert any(k.startswith(keys.outbound("")) for k in found)
    assert any(k.startswith(keys.outbound_sid("")) for k in found)
    assert keys.AUDIT in found
    print(f"\nbefore FORGET: {len(before)} keys, {len(found)} name X or hold it")

    x = world.phone(X)
    x.text("FORGET")
    assert x.text("YES")
    after = dump(world.redis)
    left = traces(after, *needles)
    print(f"after FORGET: {len(after)} keys, {len(left)} name X or hold it: {sorted(left)}")
    assert left == {}
    assert traces(after, y_id, Y)  # the neighbour's data is still there
    assert any(v.startswith("erased") or "erased" in v for v in [after[keys.AUDIT]])

    # The morning: the held broadcast goes to Y alone; X gets nothing, and nothing of X
    # comes back (no record, no skipped text under its id).
    got = len(world.texts_to(X))
    world.clock.set(datetime.fromisoformat("2026-11-25T08:00:30-05:00"))
    world.work()
    assert len(world.texts_to(X)) == got
    assert any("Thanks for coming" in t for t in world.texts_to(Y))
    assert traces(dump(world.redis), *needles) == {}


def test_stop_after_forget_keeps_only_the_opt_out(world: World) -> None:
    use_the_line(world)
    x_id = world.app.extensions["hrw"].number_id(X)
    x = world.phone(X)
    x.text("FORGET")
    x.text("YES")
    assert x.text("STOP") == ""
    left = traces(dump(world.redis), X, X[2:], x_id, mask(X))
    # The STOP itself opens a session and is counted by the throttle; all of those expire.
    expiring = {keys.session(x_id), keys.throttle(x_id), keys.throttle_log(x_id)}
    assert set(left) <= {keys.OPTED_OUT} | expiring, sorted(left)
    assert all(0 < world.redis.ttl(key) <= 3600 for key in expiring & set(left))
    assert world.redis.sismember(keys.OPTED_OUT, x_id)


def test_forget_in_the_demo_clears_its_outbox_of_the_number(world: World) -> None:
    """The demo's outbox (its stand-in for Twilio's message log) is in the same Redis."""
    import json

    for to in (X, Y):
        world.redis.lpush(keys.DEMO_OUTBOX, json.dumps({"to": to, "body": "Hello.", "n": 1}))
    x = world.phone(X)
    x.text("FORGET")
    x.text("YES")
    left = [json.loads(raw)["to"] for raw in world.redis.lrange(keys.DEMO_OUTBOX, 0, -1)]
    assert left == [Y]
