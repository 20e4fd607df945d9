"""URLs of the officer's and leader's daily work (progress, problems, instructions, events).

Included by projects/urls.py under the `projects` namespace; the project page links to these
by path.
"""

from django.urls import path

from projects import views_work as views

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("mine/", views.my_projects, name="my_projects"),
    path("<int:pk>/progress/add/", views.progress_add, name="progress_add"),
    path("progress/<int:pk>/edit/", views.progress_edit, name="progress_edit"),
    path("<int:pk>/problems/add/", views.problem_add, name="problem_add"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("<int:pk>/instructions/add/", views.instruction_add, name="instruction_add"),
    path("instructions/<int:pk>/reply/", views.instruction_reply, name="instruction_reply"),
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/options/", views.enterprise_options, name="enterprise_options"),
    path("enterprises/add/", views.enterprise_add, name="enterprise_add"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
]
