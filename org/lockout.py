"""Failed logins limited per address across usernames as well as per username and address.

django-axes counts failures per lockout parameter set and compares them with one limit
(AXES_FAILURE_LIMIT: 5 per username and address). An attacker trying one password against
many usernames from one address never reaches it, so this handler adds a second, higher limit
on the address's failures over every username (AXES_IP_FAILURE_LIMIT, within the cool-off):
reached, the address is locked out like a username would be. Higher because a bureau's offices
may all reach the server from one address.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class AddressAwareAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return failures
        attempts = AccessAttempt.objects.filter(ip_address=address)
        cool_off = get_cool_off(request)
        if cool_off:
            attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
        from_address = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if from_address >= settings.AXES_IP_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
