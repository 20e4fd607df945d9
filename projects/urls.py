from django.urls import path

from org.views import home  # placeholder until the project pages land (issue 3)
from projects import urls_work

app_name = "projects"
urlpatterns = [
    path("", home, name="list"),
    path("board/", home, name="board"),
    *urls_work.urlpatterns,
]
