"""The API: version 1 under v1/, its OpenAPI 3 schema at schema/, the docs page at docs/.

The docs page loads Swagger UI from drf-spectacular-sidecar's static files, never a CDN, and
its start-up script from a second request (the split view), never inline: the
Content-Security-Policy allows no inline script.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views, views_reference, views_reports

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("projects", views.ProjectViewSet, basename="project")
router.register("progress", views.ProgressViewSet, basename="progress")
router.register("problems", views.ProblemViewSet, basename="problem")
router.register("instructions", views.InstructionViewSet, basename="instruction")
router.register("enterprises", views_reference.EnterpriseViewSet, basename="enterprise")
router.register("events", views_reference.EventViewSet, basename="event")
router.register("chains", views_reference.ChainViewSet, basename="chain")
router.register("targets", views_reference.TargetViewSet, basename="target")
router.register("opportunities", views_reference.OpportunityViewSet, basename="opportunity")
router.register("annual-targets", views_reference.AnnualTargetViewSet, basename="annual-target")
router.register("reports", views_reports.ReportViewSet, basename="report")

v1 = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("dashboard/", views_reports.DashboardView.as_view(), name="dashboard"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
