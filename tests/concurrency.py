"""Writes started together on their own connections (PostgreSQL), for the concurrency tests."""

import threading

from django.db import connections


def run_together(writes) -> list[Exception]:
    """Run each write in its own thread, all released at once; the errors they raised."""
    start = threading.Barrier(len(writes))
    errors = []

    def run(write):
        try:
            start.wait()
            write()
        except Exception as exc:  # reported by the caller, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(write,)) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
