"""The app's URLs plus two throughput floors answering the project list API's request
(`/api/v1/projects/?stage=&page_size=`, token auth) with the same JSON, the page's rows by raw
SQL (bench/floors.py):

- a minimal Django function view: the token checked with one indexed look-up (as api.auth
  stores it: knox's SHA-512 digest), the bytes by json.dumps;
- the same rows through DRF with the project API's own authentication, permission and
  renderer: what DRF itself costs, without the ORM, the filters or the serializer.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import ProjectAccess
from api.views import ApiMixin
from bench import floors


def _error(status, detail):
    return HttpResponse(
        f'{{"detail":"{detail}"}}'.encode(), status=status, content_type="application/json"
    )


def _page_request(request):
    """(stage, chain, page, page_size) of the query string; None if it is malformed."""
    params = request.GET
    stage = params.get("stage", "")
    try:
        page = int(params.get("page", 1))
        page_size = min(int(params.get("page_size", 50)), 200)
        chain = int(params["chain"]) if params.get("chain") else None
    except ValueError:
        return None
    if stage not in floors.STAGES or page < 1 or page_size < 1:
        return None
    return stage, chain, page, page_size


def _page(request, cur, stage, chain, page, page_size) -> dict:
    count, rows = floors.api_projects_data(cur, stage, chain, page, page_size)
    query = {k: v for k, v in request.GET.items() if k in ("stage", "chain", "page", "page_size")}
    # The links name the API's own path: the same answer, byte for byte.
    url = f"{request.scheme}://{request.get_host()}/api/v1/projects/"
    return floors.api_projects_body(count, rows, url, query, page, page_size)


def floor_projects(request):
    asked = _page_request(request)
    if asked is None:
        return _error(400, "bad query")
    with connection.cursor() as cur:
        user = floors.token_user(cur, request.META.get("HTTP_AUTHORIZATION", ""))
        if user is None:
            return _error(401, "not authenticated")
        if user == "forbidden":
            return _error(403, "forbidden")
        body = _page(request, cur, *asked)
    return HttpResponse(floors.dumps(body), content_type="application/json")


class FloorDrfProjects(ApiMixin, APIView):
    permission_classes = [ProjectAccess]

    def get(self, request):
        asked = _page_request(request)
        if asked is None:
            return Response({"detail": "bad query"}, status=400)
        with connection.cursor() as cur:
            return Response(_page(request, cur, *asked))


urlpatterns = [
    path("bench/floor/projects/", floor_projects),
    path("bench/floor-drf/projects/", FloorDrfProjects.as_view()),
    path("", include("jinchang.urls")),
]
