from django.conf import settings

from org import roles

# Which menu entry a page belongs to, by URL name within the projects app (the other apps are
# one entry each, by namespace). A page not found (404) has no entry and highlights nothing.
PROJECT_PAGES = {
    "my_work": "my_work",
    "instruction_reply": "my_work",
    "my_projects": "my_projects",
    "instruction_add": "my_projects",
    "board": "board",
    "problem_list": "problems",
    "problem_add": "problems",
    "problem_resolve": "problems",
    "event_list": "events",
    "event_detail": "events",
    "enterprise_list": "enterprises",
    "enterprise_add": "enterprises",
    "enterprise_detail": "enterprises",
    "enterprise_edit": "enterprises",
}


def nav_section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace == "projects":
        return PROJECT_PAGES.get(match.url_name, "projects")
    return match.namespace


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
        "nav_section": nav_section(request),
    }
