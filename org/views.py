from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from org import health, roles
from org.signals import password_changed


@login_required
def home(request):
    """Each role lands where its work is: officers on their work list, leaders on the dashboard."""
    if roles.is_leader(request.user):
        return redirect("dashboard:index")
    if roles.is_officer(request.user):
        return redirect("projects:my_work")
    if roles.is_auditor(request.user):
        return redirect("audit:list")
    return render(request, "home.html")


def healthz(request):
    """Readiness for a load balancer and for monitoring: each component up or down, and 503
    when a required one (READINESS_REQUIRED, by default the database) is down."""
    status = health.component_status()
    ok = all(status[name] for name in settings.READINESS_REQUIRED)
    body = {"ok": ok, **{name: "up" if up else "down" for name, up in status.items()}}
    return JsonResponse(body, status=200 if ok else 503)


def livez(request):
    """The process answers, nothing more: the benchmark's floor for a Django request."""
    return HttpResponse("ok", content_type="text/plain")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; a password the holder chose ends the "change it first" requirement."""

    def form_valid(self, form):
        form.user.must_change_password = False
        response = super().form_valid(form)
        password_changed.send(sender=type(self), request=self.request, user=form.user)
        return response
