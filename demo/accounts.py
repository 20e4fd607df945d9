"""Demo accounts for each role: fictional people, one shared password, printed by `make run`.

The units are the seeded ones (seeds/units.yaml); no real person is ever assigned a project.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from org import roles
from org.models import Unit, User

DEMO_PASSWORD = "jinchang-demo-2026"

# (username, full name, title, role, unit short name or None)
DEMO_ACCOUNTS = [
    ("admin", "系统管理员（示例）", "信息科", roles.ADMIN, "招商局"),
    ("auditor", "安全审计员（示例）", "信息科", roles.AUDITOR, "招商局"),
    ("leader_wang", "王明远（示例）", "市级领导（示例）", roles.LEADER, None),
    ("leader_li", "李清和（示例）", "市级领导（示例）", roles.LEADER, None),
    ("leader_zhao", "赵文博（示例）", "市级领导（示例）", roles.LEADER, None),
    ("leader_chen", "陈立峰（示例）", "市级领导（示例）", roles.LEADER, None),
    ("officer_zsj", "张晓燕（示例）", "招商专员", roles.OFFICER, "招商局"),
    ("officer_jkq", "刘宇航（示例）", "招商专员、项目管家", roles.OFFICER, "经开区管委会"),
    ("officer_jcq", "马海涛（示例）", "招商专员", roles.OFFICER, "金川区"),
    ("officer_ycx", "杨雪梅（示例）", "招商专员", roles.OFFICER, "永昌县"),
    ("officer_gxj", "周建平（示例）", "招商专员", roles.OFFICER, "工信局"),
    ("officer_fgw", "孙丽娟（示例）", "招商专员", roles.OFFICER, "发改委"),
]


@transaction.atomic
def ensure_demo_accounts(password: str = DEMO_PASSWORD) -> list[User]:
    """Create or refresh the demo accounts; a second run changes nothing."""
    units = {u.short_name: u for u in Unit.objects.all()}
    # Hash the shared password once: hashing is deliberately slow (about 0.3 s each).
    hashed = make_password(password)
    users = []
    for username, full_name, title, role, unit_name in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "title": title,
                "unit": units.get(unit_name),
                "is_illustrative": True,
            },
        )
        if created:
            user.password = hashed
            if role == roles.ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users.append(user)
    return users
