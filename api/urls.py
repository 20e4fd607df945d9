"""The API: version 1 under v1/, its OpenAPI 3 schema at schema/, the docs page at docs/.

The docs page loads Swagger UI from drf-spectacular-sidecar's static files, never a CDN, and
its start-up script from a second request (the split view), never inline: the
Content-Security-Policy allows no inline script.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("projects", views.ProjectViewSet, basename="project")
router.register("progress", views.ProgressViewSet, basename="progress")
router.register("problems", views.ProblemViewSet, basename="problem")
router.register("instructions", views.InstructionViewSet, basename="instruction")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("events", views.EventViewSet, basename="event")
router.register("chains", views.ChainViewSet, basename="chain")
router.register("targets", views.TargetViewSet, basename="target")
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")
router.register("annual-targets", views.AnnualTargetViewSet, basename="annual-target")
router.register("reports", views.ReportViewSet, basename="report")

v1 = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
