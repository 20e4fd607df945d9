from django.urls import path

from chains import views

app_name = "chains"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:pk>/map/", views.chain_map, name="map"),
    path("links/<int:pk>/", views.link, name="link"),
    path("links/<int:pk>/enterprises/", views.link_add_enterprise, name="link_add_enterprise"),
    path(
        "links/<int:pk>/enterprises/<int:enterprise_pk>/remove/",
        views.link_remove_enterprise,
        name="link_remove_enterprise",
    ),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("targets/", views.targets, name="targets"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/convert/", views.target_convert, name="target_convert"),
    path("taskforces/", views.taskforces, name="taskforces"),
]
