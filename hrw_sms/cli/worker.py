"""`hrw-sms worker`: what the Procfile's worker process runs."""

from __future__ import annotations

import click

from hrw_sms.base.config import ConfigError
from hrw_sms.cli.context import CliContext
from hrw_sms.store.identity import hash_key
from workers.outbound import MissingSender
from workers.twilio_client import MissingCredentials
from workers.worker import run


@click.command()
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@click.option("--name", help="Worker name (default: RQ's).")
@click.pass_obj
def worker(obj: CliContext, burst: bool, name: str | None) -> None:
    """Send replies, reminders and broadcasts (an RQ worker with the scheduler)."""
    if not obj.settings.redis_configured:
        raise click.ClickException("REDIS_URL is not set (hrw-sms demo runs its own worker)")
    try:
        hash_key(obj.redis(), obj.settings.number_hash_key)  # refuse a key Redis disagrees with
    except ConfigError as exc:
        raise click.ClickException(str(exc.code).removeprefix("hrw-sms: ")) from None
    try:
        run(burst=burst, name=name)
    except (MissingSender, MissingCredentials) as exc:
        raise click.ClickException(str(exc)) from None


COMMANDS: list[click.Command] = [worker]
