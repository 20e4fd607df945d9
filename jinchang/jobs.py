"""How long a background job may stay silent before it counts as lost, for every kind of job.

A worker killed mid-task (OOM, kill -9, a host restart) or a broker that lost or never took the
message leaves a report or an import job "running" or "waiting" with nobody working on it. The
sweeps (dispatch.services.report_requeue_stuck, ledger.services.job_requeue_stuck; beat runs
them every five minutes) queue such a job again once it has been silent for
JOB_STALLED_AFTER_MINUTES, and give up on one that was started and keeps dying after
JOB_GIVE_UP_AFTER_MINUTES, so that a file which kills its worker cannot do so forever.
"""

import datetime

from django.conf import settings


def stalled_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.JOB_STALLED_AFTER_MINUTES)


def give_up_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.JOB_GIVE_UP_AFTER_MINUTES)
