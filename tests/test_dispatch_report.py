"""The monthly dispatch report: its figures against hand-computed values (see
tests/dispatch_data.py), the frozen snapshot and its versions, idempotent builds, retries, the
management command and the beat schedule."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from dispatch import services, snapshot, tasks
from dispatch.models import Notice, Report
from projects.models import MonthlyProgress
from tests.dispatch_data import JANUARY, TODAY, build, correct, progress, row_named, table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def february_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def data(personas):
    return build(personas)


@pytest.fixture
def report(data):
    return services.report_generate_now(month=JANUARY)


def test_the_headline_equals_the_hand_computed_figures(report):
    head = report.snapshot["headline"]

    assert report.status == Report.Status.DONE
    assert head["projects_in_progress"] == 3
    assert head["funds_in_month"] == "2100.00"
    assert head["funds_in_place_ytd"] == "2100.00"
    # January 2025 only: December 2025's 2000 belongs to neither year to date.
    assert head["funds_in_place_prev_ytd"] == "800.00"
    assert head["funds_increment"] == "1300.00"
    assert head["funds_growth_rate"] == "162.50"
    assert head["recent_contracted"] == "34000.00"
    assert head["recent_funds"] == "5600.00"
    assert head["arrival_rate"] == "16.47"
    assert head["key_projects_of_year"] == 3
    assert head["key_projects_started"] == 2
    assert head["start_rate"] == "66.67"
    assert head["investment_completed_ytd"] == "4000.00"
    assert head["new_signings"] == 1
    assert head["new_signings_contracted"] == "6000.00"


def test_the_downgraded_project_is_counted_and_listed(report):
    head = report.snapshot["headline"]

    assert (head["new"], head["upgrades"], head["downgrades"], head["drops"]) == (1, 2, 1, 0)
    change = row_named(report.snapshot, "stage_changes", "project", "三号项目")
    assert (change["from"], change["to"], change["kind"]) == ("橙色", "红色", "降级")


def test_units_are_ranked_by_funds_in_place_against_their_target(report, personas):
    ranking = table_rows(report.snapshot, "unit_ranking")

    assert [(r["rank"], r["name"], r["completion"]) for r in ranking] == [
        (1, "乙单位", "20.00"),
        (2, "甲单位", "12.50"),
    ]
    assert ranking[0]["target_funds"] == "3000.00"
    assert ranking[0]["actual_funds"] == "600.00"
    assert ranking[0]["time_progress"] == "8.33"


def test_the_breakdowns_count_live_projects_with_their_funds(report, data):
    unit_a = row_named(report.snapshot, "by_unit", "name", "甲单位")
    unit_b = row_named(report.snapshot, "by_unit", "name", "乙单位")
    leader = row_named(report.snapshot, "by_leader", "name", "王示例")
    nobody = row_named(report.snapshot, "by_leader", "name", "未明确包抓领导")

    # 甲: P1 and P3 live (P5 dropped is counted in its column only).
    assert (unit_a["count"], unit_a["investment"], unit_a["funds_ytd"]) == (
        2,
        "23000.00",
        "1500.00",
    )
    assert unit_a["stage_dropped"] == 1
    assert (unit_b["count"], unit_b["investment"], unit_b["funds_ytd"]) == (3, "23000.00", "600.00")
    assert (leader["count"], leader["funds_ytd"]) == (1, "1500.00")
    assert nobody["count"] == 4
    total = report.snapshot["tables"]["by_unit"]["total"]
    assert (total["count"], total["investment"], total["funds_ytd"]) == (5, "46000.00", "2100.00")


def test_the_report_lists_key_projects_without_progress_flags_and_problems_overdue_first(report):
    no_progress = [r["name"] for r in table_rows(report.snapshot, "no_progress_key")]
    problems = table_rows(report.snapshot, "open_problems")
    flagged = row_named(report.snapshot, "flagged", "name", "二号项目")

    # P6 and P2 (larger first) filed nothing for January; P1 and P4 did; P3 is not key.
    assert no_progress == ["六号项目", "二号项目"]
    assert [(p["project"], p["state"], p["days_overdue"]) for p in problems] == [
        ("二号项目", "已逾期", 11),  # on 31 January, the month's last day
        ("四号项目", "未到期", 0),
    ]
    assert "问题逾期" in flagged["flags"]


def test_editing_data_after_generation_does_not_change_the_report(report, data):
    before = report.snapshot
    correct(MonthlyProgress.objects.filter(project=data.p1, month=JANUARY), funds_in_place=9999)
    progress(data.p2, "2026-01", 100)

    report.refresh_from_db()

    assert report.snapshot == before
    assert report.snapshot["headline"]["funds_in_place_ytd"] == "2100.00"


def test_generating_the_month_again_makes_version_two_and_keeps_version_one(report, data):
    correct(MonthlyProgress.objects.filter(project=data.p1, month=JANUARY), funds_in_place=1900)

    second = services.report_generate_now(month=JANUARY)

    report.refresh_from_db()
    assert (report.version, second.version) == (1, 2)
    assert report.snapshot["headline"]["funds_in_place_ytd"] == "2100.00"
    assert second.snapshot["headline"]["funds_in_place_ytd"] == "2500.00"
    assert Report.objects.filter(month=JANUARY).count() == 2


def pending_version(user=None):
    """A requested version whose task has not run (its on_commit queueing is not executed)."""
    return services._new_version(month=JANUARY, user=user, trigger=Report.Trigger.MANUAL)


def test_building_a_version_twice_publishes_it_once(data, personas):
    report = pending_version(personas.admin)

    first = services.report_build(report.pk)
    second = services.report_build(report.pk)

    assert first.status == second.status == Report.Status.DONE
    assert second.snapshot == first.snapshot
    assert second.finished_at == first.finished_at
    assert second.attempts == 1
    assert Report.objects.count() == 1


def test_the_task_run_twice_leaves_one_done_version_and_one_set_of_notices(data, personas):
    personas.leader.email = "leader@example.test"
    personas.leader.save()
    report = pending_version(personas.admin)

    tasks.generate_report.apply(args=[report.pk])
    tasks.generate_report.apply(args=[report.pk])

    assert Report.objects.filter(month=JANUARY).count() == 1
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.DONE, 1)
    assert (
        Notice.objects.filter(kind=Notice.Kind.REPORT, recipient_user=personas.leader).count() == 1
    )


def test_a_build_held_by_another_worker_is_left_alone(data):
    report = pending_version()
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, attempts=1, started_at=TODAY
    )

    result = services.report_build(report.pk)

    assert (result.status, result.snapshot) == (Report.Status.RUNNING, None)


def test_a_build_whose_worker_died_is_taken_over(data):
    report = pending_version()
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, attempts=1, started_at=TODAY - datetime.timedelta(hours=1)
    )

    result = services.report_build(report.pk)

    assert (result.status, result.attempts) == (Report.Status.DONE, 2)


def test_a_transient_failure_is_retried_and_the_report_completes(data, monkeypatch):
    report = pending_version()
    real_build, calls = snapshot.build, []

    def flaky_build(month, **kwargs):
        calls.append(month)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real_build(month, **kwargs)

    monkeypatch.setattr(snapshot, "build", flaky_build)

    # throw=False: the eager run handles the Retry itself, as a worker would.
    tasks.generate_report.apply(args=[report.pk], throw=False)

    report.refresh_from_db()
    assert len(calls) == 2
    assert (report.status, report.attempts) == (Report.Status.DONE, 2)


def test_a_failure_a_retry_cannot_fix_marks_the_version_failed(data, monkeypatch):
    report = pending_version()

    def broken_build(month, **kwargs):
        raise ZeroDivisionError("bad data")

    monkeypatch.setattr(snapshot, "build", broken_build)

    with pytest.raises(services.ReportBuildError):
        services.report_build(report.pk)

    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "bad data" in report.error
    assert report.snapshot is None


def test_a_request_while_a_version_is_in_flight_returns_that_version(data, personas):
    first = services.report_request(month=JANUARY, user=personas.admin)
    again = services.report_request(month=JANUARY, user=personas.admin)

    assert again.pk == first.pk
    assert Report.objects.count() == 1


def test_a_requested_version_keeps_its_task_id_even_when_built_at_once(
    data, personas, django_capture_on_commit_callbacks
):
    # Celery runs eagerly here: the build is done before the request has read the task id.
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(month=JANUARY, user=personas.admin)

    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.task_id


def test_the_scheduled_report_is_made_once_per_month(data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.monthly_report.apply().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.monthly_report.apply().get()

    report = Report.objects.get()
    assert first == second == report.pk
    assert (report.month, report.trigger, report.status) == (
        JANUARY,
        Report.Trigger.SCHEDULED,
        Report.Status.DONE,
    )


def test_only_admins_request_reports(data, personas):
    for user in (personas.officer_a, personas.officer_b, personas.leader):
        with pytest.raises(PermissionDenied):
            services.report_request(month=JANUARY, user=user)
        with pytest.raises(PermissionDenied):
            services.report_generate_now(month=JANUARY, user=user)
    assert not Report.objects.exists()


def test_a_future_month_is_refused(data, personas):
    with pytest.raises(ValueError, match="未来月份"):
        services.report_request(month=datetime.date(2026, 3, 1), user=personas.admin)


def test_the_command_generates_a_version_and_writes_both_files(data, tmp_path, capsys):
    call_command("dispatch_report", "2026-01", "--output", str(tmp_path))

    report = Report.objects.get()
    out = capsys.readouterr().out
    assert report.trigger == Report.Trigger.COMMAND
    assert "2026-01 第1版" in out
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".xlsx"]


def test_the_command_refuses_a_malformed_month(data):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("dispatch_report", "2026/01")
    assert not Report.objects.exists()


def test_the_beat_schedule_exists_after_migrate():
    schedule = {task.task: task for task in PeriodicTask.objects.select_related("crontab").all()}

    reminders = schedule["dispatch.tasks.send_reminders"].crontab
    warnings = schedule["dispatch.tasks.compute_warnings"].crontab
    report = schedule["dispatch.tasks.monthly_report"].crontab
    retry = schedule["dispatch.tasks.retry_pending"].crontab
    assert reminders.day_of_month == "20,25"
    assert (warnings.day_of_month, warnings.hour) == ("*", "1")
    assert report.day_of_month == "1"
    assert retry.minute == "*/5"
    assert str(report.timezone) == "Asia/Shanghai"
    assert all(task.enabled for task in schedule.values())


def test_the_retry_task_queues_versions_the_broker_never_took_or_lost(data):
    queued = pending_version()
    Report.objects.filter(pk=queued.pk).update(task_id="queued-a-moment-ago")
    never_queued = pending_version()

    with time_machine.travel(TODAY + datetime.timedelta(minutes=3), tick=False):
        assert services.report_requeue_stuck() == 1
    never_queued.refresh_from_db()
    queued.refresh_from_db()
    assert (never_queued.status, queued.status) == (Report.Status.DONE, Report.Status.PENDING)

    with time_machine.travel(TODAY + datetime.timedelta(minutes=31), tick=False):
        assert services.report_requeue_stuck() == 1
    queued.refresh_from_db()
    assert queued.status == Report.Status.DONE
