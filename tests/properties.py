"""Property tests over the database (hypothesis): one settings profile, and one way to start
every example from the same data."""

import contextlib

from django.db import transaction
from hypothesis import HealthCheck, settings


def db_examples(max_examples: int):
    """Settings for a property test that writes to the database: no deadline (a query's time
    varies with the machine), and the test's fixtures (`db`, `client`) shared by its examples,
    each of which runs `rolled_back()`."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@contextlib.contextmanager
def rolled_back():
    """One example's writes, undone at its end: the next example starts from the fixtures'
    data, whether this one passed or failed."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
