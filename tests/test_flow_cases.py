"""Flow cases as data: tests/flow_cases/*.json. Rewrite after a deliberate change with
`pytest tests/test_flow_cases.py --update-cases`, then review the diff."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import pytest

from flows import effects as fx
from flows.dispatch import step
from flows.gsm import segments
from flows.model import OccurrenceId
from flows.render_sms import render
from flows.session import Ask, Caller, HostView, Session
from tests.flow_world import context

CASES = sorted((Path(__file__).parent / "flow_cases").glob("*.json"))


def host_view(data: dict | None) -> HostView | None:
    """caller.host in a case: {"groups": [...], "ask": {...Ask fields}, "next": [slug, day]}."""
    if data is None:
        return None
    ask = data.get("ask")
    upcoming = data.get("next")
    return HostView(
        tuple(data.get("groups", ())),
        Ask(**{**ask, "day": date.fromisoformat(ask["day"])}) if ask else None,
        OccurrenceId(upcoming[0], date.fromisoformat(upcoming[1])) if upcoming else None,
    )


def caller_of(data: dict) -> Caller:
    """The case's caller: {"opted_out", "language", "reminders", "host"}."""
    return Caller(
        opted_out=data.get("opted_out", False),
        language=data.get("language"),
        reminders=frozenset(data.get("reminders", ())),
        host=host_view(data.get("host")),
    )


def run_case(case: dict) -> list[dict]:
    """Step through the case's texts as one conversation; with "each_fresh": true, each text
    is a table row: the first text of a new conversation from the case's caller."""
    now = datetime.fromisoformat(case["now"])
    caller_data = case.get("caller", {})
    session = Session(language=caller_data.get("language") or "en")
    outcomes = []
    caller = caller_of(caller_data)
    for text in case["texts"]:
        if case.get("each_fresh"):
            caller = caller_of(case.get("caller", {}))
            session = Session(language=caller_data.get("language") or "en")
        result = step(session, text, context(now, caller))
        language = (result.session or session).language
        reply = render(result.replies, language, now)
        effects = [type(e).__name__ + json.dumps(asdict(e)) for e in result.effects]
        # The shell's view of the caller for the next text: the one meaning of each effect.
        caller = fx.callers_after(caller, result.effects)
        session = result.session or Session()
        outcomes.append(
            {
                "text": text,
                "reply": reply.split("\n"),
                "effects": effects,
                "session": json.loads(session.to_json()),
            }
        )
    return outcomes


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_flow_case(path: Path, request: pytest.FixtureRequest) -> None:
    case = json.loads(path.read_text())
    actual = run_case(case)
    for outcome in actual:
        assert segments("\n".join(outcome["reply"])) <= 3, outcome
    if request.config.getoption("--update-cases"):
        case["expect"] = actual
        path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n")
        return
    assert "expect" in case, f"{path.name} has no expectations: run with --update-cases"
    for got, want in zip(actual, case["expect"], strict=True):
        assert got == want, f"{path.name}: text {want['text']!r}"


def test_there_are_cases() -> None:
    assert len(CASES) >= 8
