from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from org import roles


@login_required
def home(request):
    """Each role lands where its work is: officers on their work list, leaders on the dashboard."""
    if roles.is_leader(request.user):
        return redirect("dashboard:index")
    if roles.is_officer(request.user):
        return redirect("projects:my_work")
    return render(request, "home.html")


def healthz(request):
    """Liveness for a load balancer: the process answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


def livez(request):
    """The process answers, nothing more: the benchmark's floor for a Django request."""
    return HttpResponse("ok", content_type="text/plain")
