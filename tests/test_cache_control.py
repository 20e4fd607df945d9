"""Signed-in pages and API answers carry `Cache-Control: private, no-store`; public answers
(a probe, static files) are left to their own headers."""

import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "leader", "admin", "auditor"])
@pytest.mark.parametrize("path", ["/", "/projects/", "/dashboard/", "/admin/", "/api/v1/projects/"])
def test_a_signed_in_page_is_private_and_not_stored(personas, login, persona, path):
    # Whatever the answer (a page, a redirect, a refusal), it is the signed-in user's.
    response = login(getattr(personas, persona)).get(path)

    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)


def test_an_api_answer_to_a_token_caller_is_private_and_not_stored(personas, client):
    key = client.post(
        "/api/v1/auth/token/",
        {"username": "leader", "password": PASSWORD},
        content_type="application/json",
    )
    assert {"private", "no-store"} <= directives(key)

    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key.json()['token']}")

    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_an_anonymous_api_refusal_is_not_stored_either(client, db):
    response = client.get("/api/v1/projects/")

    assert response.status_code == 401
    assert {"private", "no-store"} <= directives(response)


def test_a_public_answer_to_an_anonymous_visitor_is_left_alone(client, db):
    response = client.get("/livez/")

    assert response.status_code == 200
    assert "no-store" not in directives(response)
