from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz/", org_views.healthz, name="healthz"),
    path("livez/", org_views.livez, name="livez"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path(
        "accounts/password_change/",
        org_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("projects/", include("projects.urls")),
    path("chains/", include("chains.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("ledger/", include("ledger.urls")),
    path("api/", include("api.urls")),
    path("audit/", include("audit.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
