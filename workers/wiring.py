"""The one place Services is wired: `build_services` gives the web app (hrw_sms/app.py), the
CLI and the workers (workers/runtime.py) the same Services, with every callback connected.
It lives in workers/ because the callbacks are the workers' planners; the web layer and the
handlers reach them only through Services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import redis

from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.base.connection import redis_for
from hrw_sms.handlers.services import Services, system_clock
from hrw_sms.jobs.queues import enqueue_text
from workers.host_plans import plan_occurrence
from workers.reminder_plans import plan_meeting


def build_services(
    settings: Settings,
    client: redis.Redis | None = None,
    clock: Callable[[], datetime] | None = None,
    *,
    timeouts: bool = True,
) -> Services:
    """Services for `settings`, on `client` (default: the configured Redis, REDIS_URL or its
    Sentinels, with short timeouts unless `timeouts=False`, as workers and the CLI want), on `clock`
    (default: the system clock, aware UTC). Texts sent later go onto the RQ queues; a
    change to a meeting's reminders or an occurrence's hosting is planned at once.

    Raises ConfigError when no client is given and REDIS_URL is not set."""
    if client is None:
        if not settings.redis_configured:
            raise ConfigError("REDIS_URL", "is not set (hrw-sms demo runs an embedded store)")
        client = redis_for(settings, timeouts=timeouts)  # through Sentinel when configured
    services = Services(settings=settings, redis=client, clock=clock or system_clock)

    def outbox(to: str, body: str, message_id: str, kind: str) -> None:
        enqueue_text(services.redis, message_id, to, body, kind)

    def schedule(slug: str) -> None:
        plan_meeting(services, slug)

    def hosting(slug: str, day: date) -> None:
        plan_occurrence(services, slug, day)

    services.outbox = outbox
    services.on_schedule_change = schedule
    services.on_hosting_change = hosting
    return services
