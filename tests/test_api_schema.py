"""The OpenAPI 3 schema validates, names the contract's endpoints, and the docs page loads
from local files only (no internet on the bureau's network)."""

import re
from html.parser import HTMLParser

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

from api.auth import token_issue

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/projects/",
    "/api/v1/projects/{id}/",
    "/api/v1/projects/{id}/transition/",
    "/api/v1/projects/{id}/history/",
    "/api/v1/projects/export/",
    "/api/v1/progress/",
    "/api/v1/problems/",
    "/api/v1/problems/{id}/resolve/",
    "/api/v1/instructions/",
    "/api/v1/enterprises/",
    "/api/v1/events/",
    "/api/v1/chains/",
    "/api/v1/targets/",
    "/api/v1/opportunities/",
    "/api/v1/dashboard/",
    "/api/v1/reports/",
    "/api/v1/reports/{id}/",
    "/api/v1/reports/{id}/download/",
]


def test_the_schema_validates_as_openapi_3_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    assert set(CONTRACT_PATHS) <= set(schema["paths"])
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_schema_and_docs_are_for_signed_in_users_only(client, url):
    assert client.get(url).status_code in (401, 403)


def test_a_token_holder_reads_the_schema(client, personas):
    _issued, token = token_issue(personas.officer_b)
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert "/api/v1/projects/" in yaml.safe_load(response.content)["paths"]


def test_the_schema_describes_the_project_contract(login, personas):
    schema = yaml.safe_load(login(personas.officer_a).get("/api/schema/").content)

    project = schema["components"]["schemas"]["Project"]["properties"]
    assert {
        "id",
        "code",
        "name",
        "investor",
        "investor_name",
        "total_investment",
        "contracted_investment",
        "stage",
        "is_key",
        "chain",
        "chain_link",
        "place",
        "unit",
        "leader",
        "team",
        "manager",
        "signed_on",
        "started_on",
        "operating_on",
        "flags",
        "version",
    } <= set(project)
    assert project["total_investment"]["type"] == "string"
    assert project["is_key"]["readOnly"] is True
    stages = schema["components"]["schemas"]["StageEnum"]["enum"]
    assert stages == ["red", "orange", "blue", "green", "operating", "dropped"]
    patch = schema["paths"]["/api/v1/projects/{id}/"]["patch"]["responses"]
    assert "409" in patch
    month = schema["components"]["schemas"]["Progress"]["properties"]["month"]
    assert re.fullmatch(month["pattern"], "2025-06")


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.urls.append(attrs["src"])


def test_the_docs_page_loads_only_local_assets(login, personas):
    client = login(personas.leader)
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    parser = _Assets()
    parser.feed(html)
    assert len(parser.urls) >= 3  # Swagger UI's script, preset and stylesheet at least
    for url in parser.urls:
        if url == "/api/docs/?script=":
            continue  # the start-up script, from the view itself (no inline script: the CSP)
        assert url.startswith("/static/"), url
        # Each is a file the static finders serve (whitenoise in production).
        assert finders.find(url.removeprefix("/static/")), url
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    # The page's start-up script reads the schema from this site.
    assert "/api/schema/" in client.get("/api/docs/?script=").content.decode()
