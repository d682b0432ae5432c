"""What jobs need in a worker process, handed to each job by the worker that runs it.

There is no process-wide runtime: `workers.worker.Worker` is built with a Runtime (or builds
one from the environment on its own connection) and gives it to every job it runs (a job
run by RQ's own worker builds one for itself, see job_runtime), on the
job object itself (`RuntimeJob.runtime`, in memory only: never saved with the job, so jobs
queued by any version run the same). A job reads it with `job_runtime()`, through RQ's own
`get_current_job()`. Tests and the demo build their Runtime (a moved clock, a fake Twilio)
and pass it to `workers.worker.build_worker`."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import redis
from rq.job import Job, get_current_job
from twilio.rest import Client

from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.base.connection import redis_for
from hrw_sms.handlers.services import Services, system_clock
from workers.outbound import Deps
from workers.wiring import build_services

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Settings, Redis, clock, Twilio client and sleep of the jobs a worker runs, with the
    Services and outbound dependencies built from them once."""

    settings: Settings
    redis: redis.Redis
    clock: Callable[[], datetime] = system_clock
    twilio: Client | None = None  # tests point one at their fake API
    sleep: Callable[[float], None] = time.sleep
    _services: Services | None = field(default=None, repr=False)
    _deps: Deps | None = field(default=None, repr=False)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, connection: redis.Redis | None = None
    ) -> Runtime:
        """The runtime `hrw-sms worker` uses: settings from `environ` (default: this process's
        environment), on `connection` (default: REDIS_URL or its Sentinels, without client
        timeouts: a worker blocks on Redis between jobs). Raises ConfigError when no
        connection is given and REDIS_URL is not set."""
        settings = Settings.from_env(os.environ if environ is None else environ)
        if connection is None:
            if not settings.redis_configured:
                raise ConfigError("REDIS_URL", "is not set")
            connection = redis_for(settings, timeouts=False)
        return cls(settings, connection)

    @property
    def services(self) -> Services:
        """The jobs' Services, built once by workers.wiring.build_services."""
        if self._services is None:
            self._services = build_services(self.settings, self.redis, self.clock)
        return self._services

    def deps(self) -> Deps:
        """The outbound path's dependencies, built once (see Deps.build for errors)."""
        if self._deps is None:
            self._deps = Deps.build(
                self.settings, self.redis, twilio=self.twilio, clock=self.clock, sleep=self.sleep
            )
        return self._deps


class RuntimeJob(Job):
    """An RQ job as workers.worker.Worker dequeues it: it carries that worker's Runtime while
    it runs (set by the worker; an attribute of this object only, never serialised)."""

    runtime: Runtime | None = None


def job_runtime() -> Runtime:
    """The Runtime of the worker running the current job (rq.get_current_job()).

    A job run by another RQ worker (`rq worker` without `--worker-class
    workers.worker.Worker`) is handed none: it builds its own from the environment on the
    job's own connection, kept on that job object only, and says so in the log, so a stock
    worker started by mistake serves jobs correctly rather than failing them and spending
    their retries. Raises RuntimeError outside a job; ConfigError when the environment's
    settings are bad (the job then fails, and is retried, as any job whose set-up fails)."""
    job = get_current_job()
    if job is None:
        raise RuntimeError(
            "no runtime: this runs as an RQ job of workers.worker.Worker (hrw-sms worker)"
        )
    runtime = getattr(job, "runtime", None)
    if runtime is None:
        log.warning(
            "job %s runs under RQ's own worker: its runtime is built from the environment "
            "for this job alone; run `hrw-sms worker` instead",
            job.id,
        )
        runtime = Runtime.from_env(connection=job.connection)
        job.runtime = runtime  # type: ignore[attr-defined]  (this job object only)
    return runtime
