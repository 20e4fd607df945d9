"""The audit trail (等保2.0 三级): logins, failed logins, logouts and data changes are recorded
with who, when, from which address and what; nobody can change or delete an entry; entries are
kept 180 days; admins and auditors read the trail, and auditors read nothing else."""

import datetime

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from audit import services, tasks
from audit.models import AppendOnlyError, AuditEntry
from org import roles
from tests import factories
from tests.test_project_pages import form_data

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
ADDRESS = "198.51.100.20"
PERSONAS = ["officer_a", "officer_b", "leader", "admin", "auditor", "anonymous"]


def as_persona(client, personas, name):
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


# --- What is recorded --------------------------------------------------------------------------


def test_a_login_is_recorded_with_its_address(personas, client):
    client.post(
        reverse("login"), {"username": "officer_a", "password": PASSWORD}, REMOTE_ADDR=ADDRESS
    )

    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert (entry.user, entry.username, entry.ip_address) == (
        personas.officer_a,
        "officer_a",
        ADDRESS,
    )


def test_a_failed_login_is_recorded_with_the_name_tried(personas, client):
    client.post(reverse("login"), {"username": "root", "password": "x"}, REMOTE_ADDR=ADDRESS)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert (entry.user, entry.username, entry.ip_address) == (None, "root", ADDRESS)


def test_a_lockout_is_recorded(personas, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(
            reverse("login"), {"username": "officer_a", "password": "x"}, REMOTE_ADDR=ADDRESS
        )

    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOCKED_OUT)
    assert (entry.username, entry.ip_address) == ("officer_a", ADDRESS)


def test_a_password_change_is_recorded(personas, client):
    client.force_login(personas.officer_b)

    client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Other#Pass2026",
            "new_password2": "Other#Pass2026",
        },
        REMOTE_ADDR=ADDRESS,
    )

    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_CHANGE)
    assert (entry.user, entry.ip_address) == (personas.officer_b, ADDRESS)


def test_a_logout_is_recorded(personas, client):
    client.post(reverse("login"), {"username": "leader", "password": PASSWORD})
    client.post(reverse("logout"))

    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, user=personas.leader).exists()


def test_an_edit_on_a_page_is_recorded_with_the_fields_it_changed(personas, client):
    project = factories.ProjectFactory(name="旧名称", unit=personas.unit_a)
    client.force_login(personas.officer_a)

    client.post(
        reverse("projects:edit", args=[project.pk]),
        form_data(project, name="新名称"),
        REMOTE_ADDR=ADDRESS,
    )

    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.user == personas.officer_a
    assert entry.ip_address == ADDRESS
    assert (entry.object_type, entry.object_id) == ("projects.project", str(project.pk))
    assert entry.changes["项目名称"] == ["旧名称", "新名称"]


def test_a_change_through_the_api_is_recorded(personas, client):
    project = factories.ProjectFactory(unit=personas.unit_a)
    client.force_login(personas.officer_a)

    response = client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"version": 1, "name": "接口改名"},
        content_type="application/json",
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).get()
    assert (entry.user, entry.ip_address) == (personas.officer_a, ADDRESS)
    assert entry.changes["项目名称"][1] == "接口改名"


def test_a_change_in_the_admin_to_a_model_without_history_is_recorded(personas, client):
    client.force_login(personas.admin)
    unit = personas.unit_b

    response = client.post(
        reverse("admin:org_unit_change", args=[unit.pk]),
        {
            "name": "乙单位（更名）",
            "short_name": unit.short_name,
            "order": unit.order,
            "robot_kind": unit.robot_kind,
            "robot_url": "",
            "email": "",
        },
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302, response.context["adminform"].errors
    entry = AuditEntry.objects.get(object_type="org.unit")
    assert (entry.action, entry.user, entry.ip_address) == (
        AuditEntry.Action.UPDATE,
        personas.admin,
        ADDRESS,
    )
    assert entry.object_id == str(unit.pk)
    assert entry.changes["说明"]  # the admin's own message: which fields it changed


# --- Append only -------------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted(personas):
    entry = services.audit_record(action=AuditEntry.Action.LOGIN, user=personas.leader)

    entry.username = "someone_else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.username == "leader"


def test_the_admin_offers_no_add_change_or_delete(personas, client):
    entry = services.audit_record(action=AuditEntry.Action.LOGIN, user=personas.leader)
    client.force_login(personas.admin)

    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert 'name="_save"' not in page.content.decode()
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# --- Retention ---------------------------------------------------------------------------------


def test_pruning_keeps_180_days(personas, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    now = timezone.now()
    for days in (181, 179, 1):
        with time_machine.travel(now - datetime.timedelta(days=days), tick=False):
            services.audit_record(action=AuditEntry.Action.LOGIN, user=personas.leader)

    assert tasks.prune_audit_trail.apply().get() == 1

    kept = sorted((now - e.at).days for e in AuditEntry.objects.filter(user=personas.leader))
    assert kept == [1, 179]


def test_the_pruning_task_is_on_the_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="audit.tasks.prune_audit_trail")

    assert task.enabled
    assert task.crontab.hour == "3"


# --- Who reads it --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer_a", 403),
        ("officer_b", 403),
        ("leader", 403),
        ("admin", 200),
        ("auditor", 200),
        ("anonymous", 302),
    ],
)
def test_who_reads_the_audit_trail(personas, client, persona, status):
    services.audit_record(action=AuditEntry.Action.LOGIN_FAILED, username="attacker", request=None)

    response = as_persona(client, personas, persona).get(reverse("audit:list"))

    assert response.status_code == status
    if status == 200:
        assert "attacker" in response.content.decode()
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


def test_the_trail_is_filtered_by_user_action_and_date(personas, client):
    services.audit_record(action=AuditEntry.Action.LOGIN, user=personas.leader)
    services.audit_record(action=AuditEntry.Action.LOGIN_FAILED, username="root")
    client.force_login(personas.auditor)

    page = client.get(reverse("audit:list"), {"action": "login_failed"})

    rows = list(page.context["page_obj"])
    assert [e.username for e in rows] == ["root"]
    today = timezone.localdate().isoformat()
    page = client.get(reverse("audit:list"), {"username": "lead", "since": today})
    assert [e.username for e in page.context["page_obj"]] == ["leader"]


def test_an_auditor_lands_on_the_trail(personas, client):
    client.force_login(personas.auditor)

    assert client.get(reverse("home"))["Location"] == reverse("audit:list")


@pytest.mark.parametrize(
    "path",
    [
        "/projects/",
        "/projects/board/",
        "/chains/",
        "/dashboard/",
        "/dispatch/",
        "/ledger/",
        "/api/v1/projects/",
        "/api/v1/dashboard/",
    ],
)
def test_an_auditor_reads_nothing_but_the_trail(personas, client, path):
    factories.ProjectFactory(name="保密项目", unit=personas.unit_a)
    client.force_login(personas.auditor)

    response = client.get(path)

    assert response.status_code == 403
    assert "保密项目" not in response.content.decode()


def test_an_auditor_cannot_enter_the_admin(personas, client):
    client.force_login(personas.auditor)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_auditor_who_is_also_in_another_group_is_an_auditor_only(personas):
    auditor = personas.auditor
    auditor.groups.add(*factories.AdminFactory(username="x").groups.all())
    auditor.is_superuser = True
    auditor.save()
    auditor.__dict__.pop("_role_names", None)

    assert roles.role_of(auditor) == roles.AUDITOR
    assert not roles.is_admin(auditor)
    assert not roles.can_view(auditor)
    assert roles.can_read_audit(auditor)


def test_the_auditor_group_holds_only_the_trail_s_view_permission(personas):
    from django.contrib.auth.models import Group

    perms = Group.objects.get(name=roles.AUDITOR).permissions.all()

    assert [(p.content_type.app_label, p.codename) for p in perms] == [("audit", "view_auditentry")]


def test_an_admin_action_is_mirrored_once(personas):
    LogEntry.objects.log_actions(
        user_id=personas.admin.pk,
        queryset=[personas.unit_a],
        action_flag=CHANGE,
        change_message="改了名称",
        single_object=True,
    )

    entry = AuditEntry.objects.get(object_type="org.unit")
    assert (entry.user, entry.changes) == (personas.admin, {"说明": "改了名称"})


@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="the trigger is PostgreSQL's",
)
def test_postgresql_refuses_changes_and_early_deletes_made_past_the_application(personas):
    from django.db import DatabaseError, connection, transaction

    entry = services.audit_record(action=AuditEntry.Action.LOGIN, user=personas.leader)
    for sql in (
        "UPDATE audit_auditentry SET username = 'someone' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    # Deleting a user only unlinks its entries.
    personas.leader.delete()
    entry.refresh_from_db()
    assert (entry.user, entry.username) == (None, "leader")


def _app_pages():
    """Every URL of the apps holding the bureau's data, with any key filled by `pk` (found by
    walking the URLconf, so that a page added later is covered without a line here)."""
    from django.urls import URLResolver, get_resolver

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            elif pattern.callback.__module__.split(".")[0] in DATA_APPS:
                yield prefix + str(pattern.pattern)

    return sorted(walk(get_resolver()))


DATA_APPS = ("projects", "chains", "dispatch", "ledger", "dashboard")


def _filled(route: str, pk: int) -> str:
    import re

    path = re.sub(r"<int:\w+>", str(pk), route)
    return "/" + re.sub(r"<str:(\w+)>", lambda m: "projects" if m[1] == "kind" else "xlsx", path)


def test_no_page_of_the_bureaus_data_answers_an_auditor_or_a_stranger(personas, client):
    """Role × page, for the two who read nothing: every page of the data apps refuses the
    auditor (403; 404 where even the object's existence is private, as an import job's file
    name; 405 where only a POST is served) and sends a stranger to sign in."""
    secret = factories.ProjectFactory(name="保密项目", unit=personas.unit_a)
    pages = [_filled(route, secret.pk) for route in _app_pages()]
    assert len(pages) > 40  # the walk found the apps' pages

    refused = {}
    for path in pages:
        client.logout()
        stranger = client.get(path)
        client.force_login(personas.auditor)
        auditor = client.get(path)
        refused[path] = (
            stranger.status_code in (302, 405)
            and (stranger.status_code == 405 or "/accounts/login/" in stranger["Location"])
            and auditor.status_code in (403, 404, 405)
            and "保密项目" not in auditor.content.decode()
        )
    assert [path for path, ok in refused.items() if not ok] == []
