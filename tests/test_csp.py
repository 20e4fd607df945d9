"""The Content-Security-Policy: every page says scripts come from this site's files only, and no
template carries an inline script or an event-handler attribute that the policy would block
(tests/browser/test_security.py opens the pages in chromium and watches for violations)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()
    }


@pytest.mark.parametrize("path", ["/accounts/login/", "/projects/", "/dashboard/", "/api/docs/"])
def test_pages_carry_the_policy(personas, client, path):
    if path != "/accounts/login/":
        client.force_login(personas.leader)
    response = client.get(path)

    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_api_docs_load_their_start_up_script_from_a_file(personas, login):
    client = login(personas.leader)
    page = client.get("/api/docs/").content.decode()

    assert not INLINE_SCRIPT.search(page)
    script = client.get("/api/docs/?script")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def template_files():
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/templates") if p.is_dir()]
    return sorted(f for root in roots for f in root.rglob("*.html"))


def test_no_template_has_an_inline_script_or_an_event_handler_attribute():
    offenders = []
    for path in template_files():
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or HANDLER_ATTRIBUTE.search(text):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))

    assert template_files()
    assert offenders == []
