from django.urls import path

from org.views import home  # placeholder until the dashboard lands (issue 7)

app_name = "dashboard"
urlpatterns = [
    path("", home, name="index"),
]
