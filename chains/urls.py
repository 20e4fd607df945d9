from django.urls import path

from org.views import home  # placeholder until the chain pages land (issue 4)

app_name = "chains"
urlpatterns = [
    path("", home, name="overview"),
]
