from django.conf import settings

from org import roles


def site(request):
    user = getattr(request, "user", None)
    role = roles.role_of(user) if user is not None else None
    return {
        "user_role": role,
        "user_is_admin": role == roles.ADMIN,
        "user_is_leader": role == roles.LEADER,
        "user_is_officer": role == roles.OFFICER,
        "user_is_auditor": role == roles.AUDITOR,
        "demo_install": settings.DEMO_INSTALL,
    }
