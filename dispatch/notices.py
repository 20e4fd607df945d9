"""The notice outbox: write notices with what caused them, send them after commit, retry later.

Saving data never depends on the broker: `notify` only writes rows (in the caller's
transaction) and asks for a send after commit; if the broker cannot be reached the rows stay
pending and the retry task (every few minutes, see dispatch.schedule) sends them.
"""

import datetime
import json
import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from dispatch.models import Notice
from org import roles
from org.models import Unit, User

log = logging.getLogger(__name__)

# A claimed notice is left alone by other senders for this long; a sender that died while
# holding it releases it by expiry.
CLAIM_SECONDS = 120
WEBHOOK_TIMEOUT_SECONDS = 5
# WeCom rejects markdown longer than 4096 bytes; stay well under in characters.
ROBOT_MAX_CHARS = 1200


class DeliveryError(Exception):
    """A notice could not be delivered; the message is kept as the notice's last error."""


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def officers_of(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active officers with an email address of each unit, in one query."""
    result: dict[int, list[User]] = {}
    officers = (
        User.objects.filter(unit_id__in=list(unit_ids), groups__name=roles.OFFICER, is_active=True)
        .exclude(email="")
        .order_by("unit_id", "username")
        .distinct()
    )
    for user in officers:
        result.setdefault(user.unit_id, []).append(user)
    return result


def notify(
    *,
    kind: str,
    key: str,
    subject: str,
    body: str,
    link: str = "",
    users: Iterable[User] = (),
    units: Iterable[Unit] = (),
    unit_email: bool = False,
) -> int:
    """Write the notices of one message and send them after commit; return how many were new.

    Each user with an email address gets an email; each unit gets a message to its group robot
    where it has one (and an email to the unit's address with `unit_email`). `key` names the
    message: writing the same key again (a batch run twice) adds nothing.
    """
    rows = []
    for user in users:
        if user.email:
            rows.append(
                Notice(
                    kind=kind,
                    channel=Notice.Channel.EMAIL,
                    recipient_user=user,
                    dedup_key=f"{key}:email:u{user.pk}",
                )
            )
    for unit in units:
        if unit.robot_kind and unit.robot_webhook:
            rows.append(
                Notice(
                    kind=kind,
                    channel=unit.robot_kind,
                    recipient_unit=unit,
                    dedup_key=f"{key}:{unit.robot_kind}:d{unit.pk}",
                )
            )
        if unit_email and unit.email:
            rows.append(
                Notice(
                    kind=kind,
                    channel=Notice.Channel.EMAIL,
                    recipient_unit=unit,
                    dedup_key=f"{key}:email:d{unit.pk}",
                )
            )
    if not rows:
        return 0
    keys = [row.dedup_key for row in rows]
    existing = set(Notice.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    new = [row for row in rows if row.dedup_key not in existing]
    for row in new:
        row.subject = subject[:200]
        row.body = body
        row.link = link
    # ignore_conflicts: a concurrent run that wrote the same key first wins, quietly.
    Notice.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        transaction.on_commit(request_send)
    return len(new)


def request_send() -> None:
    """Queue a send of pending notices; with the broker down, leave them to the retry task."""
    from dispatch.tasks import send_notices

    enqueue(send_notices)


def enqueue(task, *args) -> str | None:
    """Send a task to the broker, failing fast; None when the broker cannot be reached.

    The callers' data is already committed: a broker outage must never reach the user, and the
    retry task picks up what was not queued.
    """
    try:
        result = task.apply_async(
            args=args,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
    except (KombuError, OSError) as exc:  # kombu wraps the transport's connection errors
        log.warning("broker unavailable, %s left for the retry task: %s", task.name, exc)
        return None
    return result.id


def _address(notice: Notice) -> str:
    if notice.channel == Notice.Channel.EMAIL:
        address = (
            notice.recipient_user.email if notice.recipient_user else notice.recipient_unit.email
        )
        if not address:
            raise DeliveryError(_("接收人没有邮箱地址。"))
        return address
    unit = notice.recipient_unit
    if not unit or unit.robot_kind != notice.channel or not unit.robot_webhook:
        raise DeliveryError(_("单位未配置该群机器人。"))
    return unit.robot_webhook


def robot_markdown(notice: Notice) -> str:
    body = notice.body
    if len(body) > ROBOT_MAX_CHARS:
        body = body[:ROBOT_MAX_CHARS] + "\n……"
    text = f"### {notice.subject}\n{body}"
    if notice.link:
        text += f"\n\n[{_('查看详情')}]({notice.link})"
    return text


def robot_payload(notice: Notice) -> dict:
    """The message in the robot's own format (both accept markdown)."""
    text = robot_markdown(notice)
    if notice.channel == Notice.Channel.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": notice.subject, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def post_webhook(url: str, payload: dict) -> None:
    """POST the JSON payload; both robots answer {"errcode": 0} when they accept it."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(_("Webhook 地址必须以 http:// 或 https:// 开头。"))
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except OSError as exc:  # connection refused, timeout, DNS: URLError is an OSError
        raise DeliveryError(str(getattr(exc, "reason", exc))) from exc
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError) as exc:
        raise DeliveryError(_("机器人返回了无法识别的应答。")) from exc
    if errcode not in (0, "0"):
        raise DeliveryError(answer.decode("utf-8", "replace")[:500])


def deliver(notice: Notice) -> None:
    address = _address(notice)
    if notice.channel == Notice.Channel.EMAIL:
        message = notice.body + (f"\n\n{notice.link}" if notice.link else "")
        try:
            send_mail(notice.subject, message, settings.DEFAULT_FROM_EMAIL, [address])
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(str(exc)) from exc
    else:
        post_webhook(address, robot_payload(notice))


def _claim(pk: int, now: datetime.datetime) -> bool:
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    claimed = Notice.objects.filter(free, pk=pk, status=Notice.Status.PENDING).update(
        locked_until=now + datetime.timedelta(seconds=CLAIM_SECONDS)
    )
    return claimed == 1


def send_one(pk: int) -> str | None:
    """Claim and deliver one pending notice; return its new status (None if not claimed)."""
    now = timezone.now()
    if not _claim(pk, now):
        return None
    notice = Notice.objects.select_related("recipient_user", "recipient_unit").get(pk=pk)
    attempts = notice.attempts + 1
    try:
        deliver(notice)
    except DeliveryError as exc:
        status = Notice.Status.FAILED if attempts >= Notice.MAX_ATTEMPTS else Notice.Status.PENDING
        log.warning("notice %s not delivered (attempt %s): %s", pk, attempts, exc)
        Notice.objects.filter(pk=pk).update(
            status=status, attempts=attempts, last_error=str(exc)[:2000], locked_until=None
        )
        return status
    Notice.objects.filter(pk=pk).update(
        status=Notice.Status.SENT,
        attempts=attempts,
        last_error="",
        sent_at=timezone.now(),
        locked_until=None,
    )
    return Notice.Status.SENT


def send_pending(*, limit: int = 500) -> dict[str, int]:
    """Send the pending notices, oldest first; safe to run in several workers at once."""
    now = timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    pks = list(
        Notice.objects.filter(free, status=Notice.Status.PENDING)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {Notice.Status.SENT: 0, Notice.Status.PENDING: 0, Notice.Status.FAILED: 0}
    for pk in pks:
        status = send_one(pk)
        if status:
            counts[status] += 1
    return {str(k): v for k, v in counts.items()}


def notice_resend(*, notice_ids: Iterable[int]) -> int:
    """An admin's "send again" on failed notices: back to pending with fresh attempts."""
    count = Notice.objects.filter(pk__in=list(notice_ids), status=Notice.Status.FAILED).update(
        status=Notice.Status.PENDING, attempts=0, locked_until=None
    )
    if count:
        transaction.on_commit(request_send)
    return count


def report_link(report) -> str:
    return absolute_url(reverse("dispatch:report_detail", args=[report.pk]))
