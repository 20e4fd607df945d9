"""Middleware of the security rules: no cache keeps a signed-in answer, an admin-set password is
changed first, an idle session ends."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in user and on the API:
    not kept by a proxy shared with other users, nor by the browser's history for the next
    person at the desk.

    After the authentication middleware; static files never get here (WhiteNoise answers them
    first). The API is matched by path because a token caller is recognised inside DRF's view,
    after the middleware has looked at the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


# Where a holder of an admin-set password may still go: to change it, or to leave.
PASSWORD_CHANGE_EXEMPT = ("password_change", "password_change_done", "logout", "set_language")


def _json_or_redirect(request, message: str, to: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    messages.warning(request, message)
    return redirect(to)


class ForcePasswordChangeMiddleware:
    """An account whose password an admin set reaches nothing but the password change page
    until its holder chooses a password of their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            try:
                url_name = resolve(request.path_info).url_name
            except Resolver404:
                url_name = None
            if url_name not in PASSWORD_CHANGE_EXEMPT:
                return _json_or_redirect(
                    request, _("为了账号安全，请先修改管理员设置的初始密码。"), "password_change"
                )
        return self.get_response(request)


LAST_SEEN = "last_seen"
# Activity renews the session at most this often: not a database write per request.
RENEW_EVERY_SECONDS = 60


def mark_session_active(sender, request, user, **kwargs):
    """At login (user_logged_in): the session starts active now."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """A signed-in session idle longer than SESSION_IDLE_TIMEOUT_MINUTES is signed out.

    SESSION_COOKIE_AGE is the same span, so the cookie and the stored session expire with it;
    this makes the end exact and says why on the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            idle = now - last_seen if isinstance(last_seen, int) else 0
            if idle > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                return _json_or_redirect(
                    request,
                    _("长时间未操作（超过%(n)d分钟），已自动退出，请重新登录。")
                    % {"n": settings.SESSION_IDLE_TIMEOUT_MINUTES},
                    f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}",
                )
            if last_seen is None or idle >= RENEW_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
