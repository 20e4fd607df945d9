"""The beat schedule of monthly dispatch, declared once and installed by a data migration.

The rows live in django-celery-beat's tables, so an admin changes a day or an hour in the admin
(定时任务) without a deployment; installing again never overwrites such an edit.
"""

from django.conf import settings
from django.utils import timezone

# name -> (task, crontab: minute, hour, day_of_month, description)
SCHEDULE = {
    "月度进展填报提醒": (
        "dispatch.tasks.send_reminders",
        ("0", "9", "20,25"),
        "每月20日、25日提醒各单位填报本月项目进展",
    ),
    "项目预警计算": (
        "dispatch.tasks.compute_warnings",
        ("30", "1", "*"),
        "每日计算无进展预警（黄色/红色/建议终止），并通知新增预警的单位",
    ),
    "月调度报告": (
        "dispatch.tasks.monthly_report",
        ("0", "6", "1"),
        "每月1日生成上月调度报告，并通知领导和各单位",
    ),
    "重发待发送通知": (
        "dispatch.tasks.retry_pending",
        ("*/5", "*", "*"),
        "每5分钟发送待发送的通知、重新排队等待中的报告",
    ),
    "清理过期审计日志": (
        "audit.tasks.prune_audit_trail",
        ("15", "3", "*"),
        "每日删除超过保留期（至少180天）的审计日志",
    ),
    "重新排队中断的导入": (
        "ledger.tasks.requeue_stuck_imports",
        ("*/5", "*", "*"),
        "每5分钟重新排队无人处理的Excel导入（任务队列曾不可用或后台进程中断）",
    ),
}


def install_schedule(apps) -> None:
    """Create the crontabs and periodic tasks that do not exist yet (by name)."""
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    changes_model = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, (task, (minute, hour, day_of_month), description) in SCHEDULE.items():
        if task_model.objects.filter(name=name).exists():
            continue
        crontab, _ = crontab_model.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year="*",
            day_of_week="*",
            timezone=settings.TIME_ZONE,
        )
        task_model.objects.create(
            name=name, task=task, crontab=crontab, description=description, enabled=True
        )
    # Beat reloads its schedule when this timestamp moves (the model's signals do not run on
    # historical models).
    changes_model.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def uninstall_schedule(apps) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=list(SCHEDULE)
    ).delete()
