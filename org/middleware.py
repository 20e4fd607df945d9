"""Answers for a signed-in user or an API caller are kept by no cache on the way: not by a
proxy shared with other users, not by the browser's history for the next person at the desk."""

from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in user and on the API.

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
