"""The shell applies each effect as flows.effects.caller_after describes it: on real Redis,
what the flows are shown of the caller afterwards is what the pure description says."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest

from flows import effects as fx
from flows.session import Caller
from hrw_sms.handlers.conversations import load_caller
from hrw_sms.handlers.effects import apply_effects
from hrw_sms.store import coordinators, hosts, optouts, prefs
from hrw_sms.store import subscriptions as subs
from tests.worker_world import World, world_at

NOW = datetime.fromisoformat("2026-11-22T09:00:00-05:00")
NUMBER = "+14135550177"
GROUP = "hrw-northampton"


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with world_at(redis_url, NOW, HRW_QUIET_HOURS="off") as w:
        yield w


def seen(world: World) -> Caller:
    services = world.app.extensions["hrw"]
    caller, _, _ = load_caller(services, services.number_id(NUMBER), "STATUS", world.clock())
    return caller


def own(caller: Caller) -> Caller:
    """The caller without its groups' audiences (other people's state, counted as it is)."""
    view = caller.coordinator
    return replace(caller, coordinator=replace(view, audiences={}) if view else None)


EFFECTS = [
    fx.SetLanguage("es"),
    fx.OptOut(),
    fx.OptIn(),
    fx.Forget(),
    fx.Subscribe("online-lunch"),
    fx.Unsubscribe("forbes-tuesday"),
    fx.Unsubscribe(),
]


@pytest.mark.parametrize("effect", EFFECTS, ids=[repr(e) for e in EFFECTS])
def test_the_shell_does_what_the_description_says(world: World, effect: fx.Effect) -> None:
    services = world.app.extensions["hrw"]
    nid = services.number_id(NUMBER)
    client = world.redis
    # A caller with something of everything: reminders, a language, both roles, opted out.
    subs.subscribe(client, nid, NUMBER, "forbes-tuesday")
    subs.subscribe(client, nid, NUMBER, "holyoke-focused")
    pipe = client.pipeline()
    prefs.set_language(pipe, nid, "en")
    pipe.execute()
    coordinators.add(client, nid, NUMBER, GROUP)
    hosts.add_host(client, nid, NUMBER, GROUP)
    if isinstance(effect, fx.OptIn):
        optouts.opt_out(client, nid)
    before = seen(world)
    apply_effects(services, NUMBER, nid, [effect])
    assert own(seen(world)) == own(fx.caller_after(before, effect))
