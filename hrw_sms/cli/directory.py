"""`hrw-sms import`, `export`, `feed ...`, `group ...`."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
import redis

from flows.model import Group
from hrw_sms.cli.context import counted
from hrw_sms.meetings import feedsync
from hrw_sms.meetings.directory import DirectoryError, DirectoryStore
from hrw_sms.meetings.feed import FeedError
from workers.feeds import tell_coordinators


def _store() -> DirectoryStore:
    return DirectoryStore(click.get_current_context().obj.redis())


@contextmanager
def _errors(doing: str) -> Iterator[None]:
    """Turn the library's refusals into one-line CLI errors."""
    try:
        yield
    except DirectoryError as exc:
        raise click.ClickException(f"{doing}: {exc}") from None
    except redis.RedisError as exc:
        raise click.ClickException(f"{doing}: Redis error: {exc}") from None


def read_feed_text(source: str) -> str:
    """The feed at a path, an http(s) URL, or "-" for standard input."""
    if source == "-":
        return sys.stdin.read()
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", source)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        raise click.ClickException(
            f"cannot fetch {source}: only http:// and https:// feeds can be fetched, "
            f"not {scheme.group(1)}://; nothing was changed"
        )
    if scheme is not None:
        try:
            fetched = feedsync.fetch(source)
        except feedsync.FetchError as exc:
            raise click.ClickException(
                f"cannot fetch {source}: {exc}; nothing was changed"
            ) from None
        return fetched.text or ""
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {source}: {file_problem(exc)}") from None


def file_problem(exc: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in plain words (not "[Errno 2] No such file ...")."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start})"
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


@click.command("import")
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--prune", is_flag=True, help="Remove meetings that are not in the feed.")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option("--timezone", help="IANA zone for meetings that name none, e.g. America/New_York.")
def import_command(source: str, prune: bool, dry_run: bool, timezone: str | None) -> None:
    """Load or update meetings from a Meeting Guide JSON feed ("-" reads standard input)."""
    text = read_feed_text(source)
    try:
        with _errors(f"import {source}"):
            summary = _store().import_feed(text, prune=prune, dry_run=dry_run, timezone=timezone)
    except FeedError as exc:
        for reason in exc.reasons:
            click.echo(f"{source}: {reason}", err=True)
        raise click.ClickException(f"{source}: {exc}; nothing was changed") from None
    click.echo(summary.describe())


@click.command("export")
def export_command() -> None:
    """Print the directory as a Meeting Guide JSON feed."""
    with _errors("export"):
        feed = _store().export_feed()
    click.echo(json.dumps(feed, indent=2, ensure_ascii=False))


@click.group("group")
def group_command() -> None:
    """Groups: names, time zones, kinds, and their own welcome and agreements texts."""


def _read_text_file(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {file_problem(exc)}") from None


@group_command.command("set")
@click.argument("slug")
@click.option("--name", help="The group's name as people see it.")
@click.option("--timezone", help="IANA time zone, e.g. America/New_York (required when new).")
@click.option("--kind", type=click.Choice(["open", "focused"]), help="Which welcome is read.")
@click.option("--language", type=click.Choice(["en", "es"]), help="The group's language.")
@click.option("--welcome-file", type=click.Path(dir_okay=False), help="The group's welcome text.")
@click.option(
    "--agreements-file", type=click.Path(dir_okay=False), help="The group's community agreements."
)
@click.option(
    "--text-language",
    type=click.Choice(["en", "es"]),
    help="The language the two files are written in (default: the group's own). In the "
    "group's other language they are what people who chose that language get.",
)
def group_set(
    slug: str,
    name: str | None,
    timezone: str | None,
    kind: str | None,
    language: str | None,
    welcome_file: str | None,
    agreements_file: str | None,
    text_language: str | None,
) -> None:
    """Create or update the group SLUG."""
    if text_language and not (welcome_file or agreements_file):
        raise click.ClickException(
            f"group set {slug}: --text-language needs --welcome-file or --agreements-file"
        )
    welcome = _read_text_file(welcome_file)
    agreements = _read_text_file(agreements_file)
    with _errors(f"group set {slug}"):
        group = _store().set_group(
            slug,
            name=name,
            timezone=timezone,
            kind=kind,
            language=language,
            welcome=welcome,
            agreements=agreements,
            text_language=text_language,
        )
    click.echo(_describe_group(group))


@group_command.command("list")
def group_list() -> None:
    """List the groups."""
    with _errors("group list"):
        groups = _store().groups()
    for group in groups:
        click.echo(_describe_group(group))
    if not groups:
        click.echo("no groups yet: import a feed or use `hrw-sms group set`", err=True)


def _describe_group(group: Group) -> str:
    texts = [label for label in ("welcome", "agreements") if getattr(group, label)]
    own = f", own {' and '.join(texts)}" if texts else ""
    other = group.other_language
    extra = [w for w in ("welcome", "agreements") if group.own_text(w, other)]  # type: ignore[arg-type]
    own += f", in {other}: {' and '.join(extra)}" if extra else ""
    return f"{group.slug}\t{group.name}\t{group.timezone}, {group.kind}, {group.language}{own}"


@click.group("feed")
def feed_command() -> None:
    """Feeds the workers keep in sync every HRW_FEED_INTERVAL minutes."""


def _now() -> datetime:
    """The CLI's clock (the demo's or a test's when set), in UTC, to the second."""
    return click.get_current_context().obj.clock().astimezone(UTC).replace(microsecond=0)


@feed_command.command("add")
@click.argument("url")
@click.option("--timezone", help="IANA zone for meetings that name none, e.g. America/New_York.")
def feed_add(url: str, timezone: str | None) -> None:
    """Register the feed at URL (the workers sync it within HRW_FEED_INTERVAL minutes)."""
    with _errors(f"feed add {url}"):
        new = feedsync.add_feed(_store_redis(), url, timezone, _now())
    click.echo(f"{'added' if new else 'updated'} {url.strip()}: `hrw-sms feed sync` syncs it now")


@feed_command.command("list")
def feed_list() -> None:
    """Each feed with its last sync, its outcome and the reason of a failure."""
    with _errors("feed list"):
        found = feedsync.feeds(_store_redis())
    for feed in found:
        click.echo(feedsync.describe(feed))
    if not found:
        click.echo("no feeds yet: add one with `hrw-sms feed add URL`", err=True)


@feed_command.command("remove")
@click.argument("url")
@click.option("--drop-meetings", is_flag=True, help="Also remove the meetings it brought.")
def feed_remove(url: str, drop_meetings: bool) -> None:
    """Stop syncing URL. Its meetings stay, managed by `hrw-sms import` from then on, unless
    --drop-meetings removes them."""
    url = url.strip()
    with _errors(f"feed remove {url}"):
        if not feedsync.remove_feed(_store_redis(), url):
            raise click.ClickException(f"feed remove: {url!r} is not a registered feed")
        count = _store().release_source(url, drop=drop_meetings)
    fate = "removed" if drop_meetings else "kept (now managed by `hrw-sms import`)"
    click.echo(f"removed {url}; its {counted(count, 'meeting')} {fate}")


@feed_command.command("sync")
def feed_sync() -> None:
    """Sync every registered feed now; exits 1 if any failed."""
    client = _store_redis()
    with _errors("feed sync"):
        urls = [feed.url for feed in feedsync.feeds(client)]
        failed = 0
        for url in urls:
            outcome = feedsync.sync_feed(client, url, _now())
            tell_coordinators(client, outcome)
            click.echo(f"{url}: {outcome.message}", err=not outcome.ok)
            failed += not outcome.ok
    if not urls:
        click.echo("no feeds yet: add one with `hrw-sms feed add URL`", err=True)
    if failed:
        raise click.ClickException(
            f"{failed} of {len(urls)} feeds failed; their meetings were kept"
        )


def _store_redis() -> redis.Redis:
    return click.get_current_context().obj.redis()


COMMANDS: list[click.Command] = [import_command, export_command, feed_command, group_command]
