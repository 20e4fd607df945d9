"""The app's URLs plus the throughput floor: a minimal Django function view answering the
project list API's request (`/api/v1/projects/?stage=&page_size=`, token auth) with the same
JSON: the token checked with one indexed look-up (as api.auth stores it: knox's SHA-512
digest), the page's rows by raw SQL, the bytes by json.dumps (bench/floors.py)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from bench import floors


def _error(status, detail):
    return HttpResponse(
        f'{{"detail":"{detail}"}}'.encode(), status=status, content_type="application/json"
    )


def floor_projects(request):
    params = request.GET
    stage = params.get("stage", "")
    try:
        page = int(params.get("page", 1))
        page_size = min(int(params.get("page_size", 50)), 200)
        chain = int(params["chain"]) if params.get("chain") else None
    except ValueError:
        return _error(400, "bad query")
    if stage not in floors.STAGES or page < 1 or page_size < 1:
        return _error(400, "bad query")
    with connection.cursor() as cur:
        user = floors.token_user(cur, request.META.get("HTTP_AUTHORIZATION", ""))
        if user is None:
            return _error(401, "not authenticated")
        if user == "forbidden":
            return _error(403, "forbidden")
        count, rows = floors.api_projects_data(cur, stage, chain, page, page_size)
    query = {k: v for k, v in params.items() if k in ("stage", "chain", "page", "page_size")}
    # The links name the API's own path: the same answer, byte for byte.
    url = f"{request.scheme}://{request.get_host()}/api/v1/projects/"
    body = floors.api_projects_write(count, rows, url, query, page, page_size)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/floor/projects/", floor_projects),
    path("", include("jinchang.urls")),
]
