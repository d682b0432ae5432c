"""The RQ worker `hrw-sms worker` runs: our queues in priority order, with the scheduler, and
its Runtime handed to every job it runs (workers/runtime.py)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis
from rq import SimpleWorker
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue
from rq.worker import BaseWorker, WorkerStatus

from hrw_sms.base.logs import setup_logging
from hrw_sms.jobs import queues
from workers.periodic import book_tick
from workers.runtime import Runtime, RuntimeJob

log = logging.getLogger(__name__)

# A dead worker's job is retried by RQ's maintenance (StartedJobRegistry.cleanup, then
# CRASH_RETRY) once the job's lease lapses: JOB_MONITORING_INTERVAL + 60 s after its last
# heartbeat. Maintenance also takes over a dead worker's scheduler lock (61 s after its last
# refresh). With an idle wake of IDLE_WAKE s, maintenance runs at least every
# MAINTENANCE_INTERVAL + IDLE_WAKE s, so a crashed send resumes within about
# 65 + 25 + 5 (first CRASH_RETRY interval) + 1 (scheduler poll) = 96 s of a worker running again.
JOB_MONITORING_INTERVAL = 5
MAINTENANCE_INTERVAL = 15
IDLE_WAKE = 10  # seconds an idle worker blocks waiting for a job before it looks around
_WORKER_TTL = IDLE_WAKE + 15  # RQ waits for a job worker_ttl - 15 s at a time


class Worker(SimpleWorker):
    """RQ's SimpleWorker (each job in this process: no fork per text), changed so that a dead
    worker's jobs come back within two minutes (README "Workers"):

    - it sends heartbeats while a job runs, every JOB_MONITORING_INTERVAL s, as RQ's forking
      Worker does. SimpleWorker sends none, so RQ keeps a started job for its whole timeout
      + 60 s before it may call it abandoned: 2 minutes for a send, half an hour for a
      broadcast batch;
    - idle, it wakes every IDLE_WAKE s (RQ's default: 405) so that its maintenance, where
      abandoned jobs are retried and a dead scheduler's lock is taken over, runs on time.

    Every job it runs gets its Runtime (RuntimeJob.runtime, read by runtime.job_runtime): the
    one given as `runtime`, else one built from the environment on the worker's own
    connection (so `rq worker --worker-class workers.worker.Worker` works too). RQ's own
    constructions of a worker (Worker.find_by_key) pass no runtime and run no job."""

    job_class = RuntimeJob
    _running: tuple[Job, Execution] | None = None
    _beats: threading.Thread | None = None
    _stop_beats: threading.Event | None = None
    rebook_tick = False  # `hrw-sms worker` (not burst runs): keep the minute tick booked

    def __init__(self, *args: Any, runtime: Runtime | None = None, **kwargs: Any) -> None:
        """RQ's Worker arguments, and the Runtime its jobs get (see the class)."""
        super().__init__(*args, **kwargs)
        self._runtime = runtime

    @property
    def runtime(self) -> Runtime:
        """The Runtime this worker's jobs get; built from the environment on first use when
        none was given (raises ConfigError as Settings.from_env does)."""
        if self._runtime is None:
            self._runtime = Runtime.from_env(connection=self.connection)
        return self._runtime

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance (abandoned jobs, registries), then book the minute tick again: a
        Redis failover can lose its booking of the next one (README "Redis with Sentinel")."""
        super().run_maintenance_tasks()
        if self.rebook_tick:
            # The tick books its own successor; a Redis failover can lose that booking (async
            # replication), which would stop all planning. Booking again is a no-op when the
            # next tick is already there (one job id per minute).
            try:
                book_tick(self.connection, self.runtime.clock())
            except redis.RedisError:  # Redis away: RQ's own loop waits for it; next time
                log.warning("could not book the minute tick; trying at the next maintenance")

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run one job in this process with heartbeats and this worker's Runtime; a retry
        first clears the executions its dead worker left behind."""
        if isinstance(job, RuntimeJob):  # always, as job_class says; the runtime stays here
            job.runtime = self.runtime
        execution = self.prepare_execution(job)
        if job.retries_left is not None and job.retries_left < queues.CRASH_RETRY.max:
            _forget_other_executions(job, execution)  # a retry: maybe after its worker died
        self._start_beats()
        self._running = (job, execution)
        try:
            self.perform_job(job, queue, execution)
        finally:
            self._running = None
        self.set_state(WorkerStatus.IDLE)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # The lease of a running job: the next heartbeat + 60 s (RQ's rule for Worker).
        """Seconds a running job's lease lasts: the next heartbeat plus 60 s, RQ's
        rule for its forking Worker."""
        return BaseWorker.get_heartbeat_ttl(self, job, working_time)

    def teardown(self) -> None:
        """Stop the heartbeat thread, then RQ's own teardown."""
        if self._stop_beats is not None:
            self._stop_beats.set()
        super().teardown()

    def _start_beats(self) -> None:
        """One thread per worker (a thread per job costs more than a short send)."""
        if self._beats is None or not self._beats.is_alive():
            self._stop_beats = threading.Event()
            self._beats = threading.Thread(
                target=self._beat, args=(self._stop_beats,), name="rq-job-heartbeat", daemon=True
            )
            self._beats.start()

    def _beat(self, stop: threading.Event) -> None:
        # A beat racing a job's end is harmless: RQ's heartbeats only refresh entries that
        # still exist (XX), as for its forking Worker.
        while not stop.wait(self.job_monitoring_interval):
            running = self._running
            if running is None:
                continue
            try:
                self.maintain_heartbeats(*running)
            except Exception:  # a missed beat only shortens the lease; try again next time
                log.warning("heartbeat for job %s failed", running[0].id, exc_info=True)


def _forget_other_executions(job: Job, execution: Execution) -> None:
    """Unlist the job's earlier executions: if this worker runs it, they were abandoned (their
    worker died). RQ 3.0 lists an execution for a minute after its record expires, and when
    a finished job is deleted it fetches every listed one: a missing record turns the rerun
    job's success into a failure (retried, ERROR logged), as happens after a crash when the
    job comes back on time."""
    registry = job.execution_registry
    listed = [i.decode() for i in job.connection.zrange(registry.key, 0, -1)]
    others = [i for i in listed if i != execution.id]
    if others:
        job.connection.zrem(registry.key, *others)


def build_worker(runtime: Runtime, name: str | None = None) -> Worker:
    """A worker on `runtime`'s Redis that runs jobs in its own process (no fork per text, so
    it keeps up) and hands each one `runtime`."""
    connection = runtime.redis
    return Worker(
        [queues.queue(connection, n) for n in queues.ORDER],
        connection=connection,
        runtime=runtime,
        name=name,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
        maintenance_interval=MAINTENANCE_INTERVAL,
        worker_ttl=_WORKER_TTL,
    )


def run(burst: bool = False, name: str | None = None) -> bool:
    """Serve the queues in priority order until stopped (or, with `burst`, until empty);
    True if it ended cleanly."""
    setup_logging()
    rt = Runtime.from_env()
    rt.deps()  # fail now, with one line, if the sender or credentials are missing
    book_tick(rt.redis, rt.clock())
    worker = build_worker(rt, name)
    worker.rebook_tick = not burst
    return worker.work(with_scheduler=True, burst=burst, logging_level="WARNING")
