"""`hrw-sms broadcast`, `cancel`, `status`, `audit`: the coordinators' command line."""

from __future__ import annotations

import time

import click

from flows.render_sms import clock
from hrw_sms.cli.context import CliContext, counted
from hrw_sms.handlers import broadcasts, cancellations
from hrw_sms.handlers.broadcasts import progress
from hrw_sms.handlers.services import Services
from hrw_sms.store import audit as log
from hrw_sms.store import keys
from workers.wiring import build_services

POLL_SECONDS = 0.5


def _services(obj: CliContext) -> Services:
    """The commands' Services: wired as the app's and the workers' are (no Flask app)."""
    return build_services(obj.settings, obj.redis(), obj.clock)


@click.command()
@click.option("--group", "group_slug", required=True, help="The group whose subscribers get it.")
@click.option("--dry-run", is_flag=True, help="Show the final text and the count; send nothing.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--no-wait", is_flag=True, help="Queue it and return without following progress.")
@click.argument("text")
@click.pass_obj
def broadcast(
    obj: CliContext, group_slug: str, dry_run: bool, assume_yes: bool, no_wait: bool, text: str
) -> None:
    """Send TEXT to a group's subscribers (people who asked for reminders), once each."""
    services = _services(obj)
    try:
        draft = broadcasts.prepare(services, group_slug, text)
    except broadcasts.Refused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Group: {draft.group.name} ({draft.group.slug})")
    click.echo(
        f"Reaches: {counted(draft.recipients, 'subscriber')}; {draft.segments} segment(s) each"
    )
    click.echo(f"Text as sent:\n---\n{draft.final}\n---")
    if dry_run:
        click.echo("Dry run: nothing sent.")
        return
    if draft.recipients == 0:
        raise click.ClickException(f"{group_slug} has no subscribers: nothing to send")
    if not assume_yes and not click.confirm("Send it?", default=False):
        raise click.ClickException("not sent")
    broadcast_id = broadcasts.start(services, draft, actor=None, channel="cli")
    click.echo(f"Broadcast {broadcast_id} queued for {counted(draft.recipients, 'subscriber')}.")
    if not no_wait:
        _follow(services, broadcast_id, draft.recipients)


def _follow(services, broadcast_id: int, total: int) -> None:
    """A progress bar until every text is sent or finally failed (delivery may never come)."""
    done = 0
    with click.progressbar(length=total, label="Sending", show_pos=True) as bar:
        while True:
            now = progress(services.redis, broadcast_id)
            if now is None:
                raise click.ClickException(f"broadcast {broadcast_id} has expired")
            settled = now.total - now.queued
            bar.update(settled - done)
            done = settled
            if now.done:
                break
            time.sleep(POLL_SECONDS)
    click.echo(_describe(now))


def _describe(p) -> str:
    return (
        f"Broadcast {p.broadcast_id} to {p.group}: {p.total} in all, {p.queued} queued, "
        f"{p.sent} sent, {p.delivered} delivered, {p.failed} failed, {p.skipped} skipped"
    )


@click.command()
@click.argument("meeting")
@click.argument("date", required=False)
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def cancel(obj: CliContext, meeting: str, date: str | None, assume_yes: bool) -> None:
    """Cancel MEETING's next occurrence (or the one on DATE, YYYY-MM-DD) and tell people."""
    services = _services(obj)
    try:
        chosen = cancellations.plan(services, meeting, cancellations.parse_day(date))
    except cancellations.Refused as exc:
        raise click.ClickException(str(exc)) from None
    start = chosen.occurrence.local_start
    click.echo(
        f"Cancel {chosen.meeting.name} on {start:%a %Y-%m-%d} at {clock(start)} "
        f"{start.tzname()}; {counted(chosen.recipients, 'subscriber')} will be told."
    )
    if not assume_yes and not click.confirm("Cancel it?", default=False):
        raise click.ClickException("not cancelled")
    try:
        queued = cancellations.cancel(services, chosen, actor=None, channel="cli")
    except cancellations.Refused as exc:  # cancelled by someone else while we asked
        raise click.ClickException(str(exc)) from None
    click.echo(f"Cancelled. {queued} notices queued.")


@click.command()
@click.option("--group", "group_slug", help="The last broadcast of this group.")
@click.option("--id", "broadcast_id", type=int, help="A broadcast by its id.")
@click.pass_obj
def status(obj: CliContext, group_slug: str | None, broadcast_id: int | None) -> None:
    """Counts of the last broadcast: queued, sent, delivered, failed."""
    client = obj.redis()
    if broadcast_id is None:
        if group_slug:
            broadcast_id = broadcasts.last_id(client, [group_slug])
        else:
            raw = client.get(keys.BROADCAST_SEQ)
            broadcast_id = int(raw) if raw else None
    found = broadcasts.progress(client, broadcast_id) if broadcast_id else None
    if found is None:
        raise click.ClickException("no broadcast found")
    click.echo(_describe(found))


@click.command()
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 90))
@click.pass_obj
def audit(obj: CliContext, days: int) -> None:
    """Who sent which broadcast or cancellation, when, to how many (numbers masked)."""
    for e in log.entries(obj.redis(), obj.clock(), days):
        click.echo(
            f"{e.at}\t{e.action}\t{e.group}\t{e.detail}\t{e.recipients}\t{e.actor}\t{e.channel}"
        )


COMMANDS: list[click.Command] = [broadcast, cancel, status, audit]
