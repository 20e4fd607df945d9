from django.urls import path

from org.views import home  # placeholder until the project pages land (issue 3)

app_name = "projects"
urlpatterns = [
    path("", home, name="list"),
    path("board/", home, name="board"),
    path("my-work/", home, name="my_work"),
]
