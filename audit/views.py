from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from audit import selectors
from org import roles

PAGE_SIZE = 50


@login_required
def entry_list(request):
    """The audit trail, for admins and auditors; read only."""
    if not roles.can_read_audit(request.user):
        raise PermissionDenied
    filterset = selectors.audit_entry_list(params=request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/entry_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )
