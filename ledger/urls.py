from django.urls import path

from ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.upload, name="import"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/commit/", views.job_commit, name="commit"),
    path("jobs/<int:pk>/columns/", views.job_columns, name="columns"),
    path("template/<str:kind>/", views.template, name="template"),
    path("export/<str:kind>/", views.export, name="export"),
]
