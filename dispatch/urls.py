from django.urls import path

from org.views import home  # placeholder until the dispatch pages land (issue 6)

app_name = "dispatch"
urlpatterns = [
    path("", home, name="reports"),
]
