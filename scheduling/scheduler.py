"""APScheduler 3.x running the jobs, gated by the leader lease."""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from apscheduler.schedulers.blocking import BlockingScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from bot.container import Container
from scheduling.jobs import JOBS, Job
from scheduling.lease import LeaderLease, new_holder_id

log = logging.getLogger(__name__)


class JobRunner:
    """Runs a job only while this process holds the lease."""

    def __init__(self, container: Container, holder: str | None = None) -> None:
        self.container = container
        self.lease = LeaderLease(container.engine, holder or new_holder_id())
        self._lock = threading.Lock()

    def run(self, job: Job) -> list[str] | None:
        """Run `job` at the clock's time; None if another process leads."""
        now = self.container.clock.now()
        if not self.lease.acquire(now):
            return None
        try:
            return job.body(self.container, now, False)
        except Exception:
            # A job's failure must not stop the scheduler; the next run catches up.
            log.exception("job %s failed", job.id)
            return []


def build_scheduler(container: Container, *, blocking: bool = False) -> tuple[
    BackgroundScheduler | BlockingScheduler, JobRunner
]:
    """A scheduler with every job under its explicit id (no job store is shared)."""
    runner = JobRunner(container)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=container.settings.qabot_timezone)
    for job in JOBS.values():
        scheduler.add_job(
            runner.run, IntervalTrigger(seconds=job.every_seconds), args=[job], id=job.id,
            name=job.description, max_instances=1, coalesce=True, replace_existing=True,
        )
    return scheduler, runner
