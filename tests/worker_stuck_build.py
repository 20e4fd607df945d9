"""The project's Celery app for tests/test_job_worker.py, with a report build that stops in the
middle — after claiming its version and reporting 5% — for long enough to be killed there.

Started as `celery -A tests.worker_stuck_build worker`; the patch is applied when a task starts,
since Django's apps are loaded only by then. With STUCK_BUILD_PID_FILE set, only the first build
stops (writing its process id there, for the test to kill that pool child) and later ones run.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from jinchang.celery import app  # noqa: F401 (what `celery -A` looks for)


def _stuck_build(month, *, on_progress=lambda percent: None):
    pid_file = os.environ.get("STUCK_BUILD_PID_FILE")
    if pid_file:
        if Path(pid_file).exists():
            return _real_build(month, on_progress=on_progress)
        Path(pid_file).write_text(str(os.getpid()))
    on_progress(5)
    time.sleep(600)
    raise AssertionError("the test should have killed this worker")


@task_prerun.connect
def _patch_the_build(**kwargs):
    global _real_build
    from dispatch import snapshot

    if snapshot.build is not _stuck_build:
        _real_build = snapshot.build
        snapshot.build = _stuck_build


_real_build = None
