"""The list API's fast rows equal DRF's own serialization of the same project.

A list page reads its rows lean (`selectors.rows_in_order`: the joined rows' names only), its
members' ids in one query per link table (`selectors.with_member_ids`) and its labels once per
request (`LabelField`). Each row must still be exactly what the serializer gives for the project
read the plain way, one at a time, through its relations and `get_stage_display`.
"""

import pytest
from django.conf import settings as settings_module
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from api.auth import token_issue
from api.serializers import ProjectSerializer
from projects import selectors
from projects.stages import Stage
from tests import factories
from tests.properties import db_examples, rolled_back

LIST = "/api/v1/projects/"

PROJECT = st.fixed_dictionaries(
    {
        "stage": st.sampled_from([Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN]),
        "staleness": st.sampled_from(["", "yellow", "red", "drop"]),
        "key": st.booleans(),
        "leader": st.booleans(),
        "manager": st.booleans(),
        "chain": st.booleans(),
        "team": st.sets(st.integers(0, 3), max_size=4),
        "co_investors": st.sets(st.integers(0, 3), max_size=4),
        "overdue": st.booleans(),
    }
)


def _make(spec, people, enterprises, leader):
    project = factories.ProjectFactory(
        stage=spec["stage"],
        staleness=spec["staleness"],
        total_investment=8000 if spec["key"] else 3000,
        leader=leader if spec["leader"] else None,
        manager=people[0] if spec["manager"] else None,
        chain=factories.ChainFactory() if spec["chain"] else None,
    )
    project.team.set([people[i] for i in spec["team"]])
    project.co_investors.set([enterprises[i] for i in spec["co_investors"]])
    if spec["overdue"]:
        factories.ProblemFactory(project=project, deadline="2020-01-31")
    return project


def _one_at_a_time(project_id, request):
    # DRF's own path: the relations through their managers, the label through Django.
    project = selectors.project_detail(pk=project_id)
    data = ProjectSerializer(project, context={"request": request}).data
    assert data["stage_label"] == project.get_stage_display()
    return data


@db_examples(15)
@given(specs=st.lists(PROJECT, min_size=1, max_size=6), language=st.sampled_from(["zh-hans", "en"]))
def test_every_list_row_equals_the_project_serialized_on_its_own(db, client, specs, language):
    with rolled_back():
        _check_rows(client, specs, language)


def _check_rows(client, specs, language):
    admin = factories.AdminFactory()
    people = [factories.OfficerFactory(username=f"member_{i}") for i in range(4)]
    enterprises = [factories.EnterpriseFactory(name=f"合作企业{i}") for i in range(4)]
    leader = factories.LeaderFactory()
    projects = [_make(spec, people, enterprises, leader) for spec in specs]
    _issued, token = token_issue(admin)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    # The language switch's cookie: the labels are translated into the chosen language.
    client.cookies[settings_module.LANGUAGE_COOKIE_NAME] = language
    response = client.get(LIST + "?page_size=100", **headers)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {project.pk for project in projects}
    with translation.override(language):
        for project in projects:
            assert rows[project.pk] == _one_at_a_time(project.pk, response.wsgi_request)
            assert client.get(f"{LIST}{project.pk}/", **headers).json() == rows[project.pk]


@pytest.mark.django_db
def test_members_are_listed_in_their_relations_order(client):
    admin = factories.AdminFactory()
    zed, amy = factories.OfficerFactory(username="zed"), factories.OfficerFactory(username="amy")
    project = factories.ProjectFactory()
    project.team.set([zed, amy])
    _issued, token = token_issue(admin)
    row = client.get(LIST, HTTP_AUTHORIZATION=f"Token {token}").json()["results"][0]
    # The relation's order (users by username), as DRF gives it through the manager.
    assert row["team"] == [amy.pk, zed.pk] == [u.pk for u in project.team.all()]
