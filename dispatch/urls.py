from django.urls import path

from dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.reports, name="reports"),
    path("generate/", views.generate, name="generate"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/download/<str:fmt>/", views.report_download, name="report_download"),
]
