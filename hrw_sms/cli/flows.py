"""`hrw-sms flows`: each flow's states and transitions, found by running the flows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from flows.context import Context, NoPlaces
from flows.graph import all_transitions, lines, mermaid
from flows.model import Directory
from flows.occurrences import Timetable, timetable_window
from flows.session import Caller
from hrw_sms.meetings.feed import example_feed, parse_feed

# A fixed moment and the bundled examples: the output is the same on every run.
AT = "2026-11-24T10:00:00-05:00"


@click.command()
@click.option("--flow", type=click.Choice(["participant", "coordinator", "host", "voice"]),
              help="Only this flow.")  # fmt: skip
@click.option("--mermaid", "mermaid_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a Mermaid state diagram to this file.")  # fmt: skip
def flows(flow: str | None, mermaid_file: Path | None) -> None:
    """Print each flow's transitions, one per line: state --WORD--> state."""
    feed = parse_feed(example_feed(), existing_groups={})
    directory = Directory(groups=feed.groups, meetings=feed.meetings, version=1)
    now = datetime.fromisoformat(AT)
    table = Timetable.build(directory, *timetable_window(now))

    def ctx_for(caller: Caller) -> Context:
        return Context(now, directory, table, NoPlaces(), caller)

    groups = tuple(sorted(feed.groups))[:2]
    host_meeting = next(m.slug for m in feed.meetings.values() if m.group == groups[0])
    found = all_transitions(ctx_for, groups, host_meeting)
    chosen = {flow: found[flow]} if flow else found
    for transitions in chosen.values():
        for line in lines(transitions):
            click.echo(line)
    if mermaid_file:
        mermaid_file.write_text(mermaid(chosen), encoding="utf-8")


COMMANDS: list[click.Command] = [flows]
