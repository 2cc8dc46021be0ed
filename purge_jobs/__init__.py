"""Timer (QJOBS_PURGE_SCHEDULE): forget jobs final for longer than QJOBS_RETENTION_DAYS."""

import logging

import azure.functions as func

from shared.config import settings
from shared.retention import purge_expired_jobs

log = logging.getLogger("qjobs.retention")


async def main(timer: func.TimerRequest, starter: str) -> None:
    config = settings()
    report = await purge_expired_jobs(starter, config.retention_days, config.purge_max_jobs)
    log.info(
        "retention: purged %d of %d final jobs examined%s%s",
        report.purged,
        report.examined,
        " (more left for the next run)" if report.more else "",
        " (run was past due)" if timer.past_due else "",
    )
