"""URLs of the officer's and leader's daily work (progress, problems, instructions, events).

Included by projects/urls.py under the `projects` namespace.
"""

from django.urls import path

from org.views import home  # placeholder until the work pages land (issue 3)

urlpatterns = [
    path("my-work/", home, name="my_work"),
]
