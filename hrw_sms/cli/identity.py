"""`hrw-sms hash-key move`: take the number hash key out of Redis, once (a thin layer over
hrw_sms.store.identity.move_out)."""

from __future__ import annotations

import click

from hrw_sms.cli.context import CliContext, fail
from hrw_sms.store import identity


@click.group("hash-key")
def hash_key() -> None:
    """The key of the keyed hash that names numbers in Redis (HRW_NUMBER_HASH_KEY)."""


@hash_key.command("move")
@click.pass_obj
def move(obj: CliContext) -> None:
    """Move a key an older version kept in Redis into HRW_NUMBER_HASH_KEY.

    Without HRW_NUMBER_HASH_KEY: shows the key once, and removes it from Redis only when
    you confirm you saved it. With it set to the same key: removes it from Redis. The ids
    (and so every opt-out) stay the same either way."""
    obj.hash_key_required = False  # the point of this command is to help set it
    client = obj.redis()
    configured = obj.settings.number_hash_key
    result = identity.move_out(client, configured)
    if result.state == "none":
        where = "HRW_NUMBER_HASH_KEY is set" if configured else "set HRW_NUMBER_HASH_KEY"
        click.echo(f"Redis keeps no number hash key: nothing to move ({where}).")
        return
    if result.state == "differs":
        fail(
            "HRW_NUMBER_HASH_KEY differs from the key kept in Redis: nothing changed (unset it "
            "and run this again to see the key in use; a new key would lose every opt-out)"
        )
    if result.state == "removed":
        click.echo("HRW_NUMBER_HASH_KEY holds the key kept in Redis: removed it from Redis.")
        return
    click.echo("The number hash key kept in Redis (shown once; keep it with your secrets):")
    click.echo(result.key)
    click.echo(
        "Set HRW_NUMBER_HASH_KEY to it for every web and worker process, then remove it from Redis."
    )
    if not click.confirm("Saved it? Remove it from Redis now", default=False):
        click.echo("Left in Redis. Run this again once HRW_NUMBER_HASH_KEY is set.")
        return
    identity.move_out(client, None, confirmed=True)
    click.echo("Removed from Redis. Processes without HRW_NUMBER_HASH_KEY now refuse to start.")


COMMANDS: list[click.Command] = [hash_key]
