from celery import shared_task

from audit import services


@shared_task
def prune_audit_trail() -> int:
    """Daily (beat): remove entries older than the retention (at least 180 days)."""
    return services.audit_prune()
