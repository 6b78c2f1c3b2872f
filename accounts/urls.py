from django.urls import path

from accounts import views

worker_urlpatterns = [
    path("", views.worker_dashboard, name="dashboard"),
    path("placements/", views.worker_placements, name="placements"),
    path(
        "placements/<uuid:placement_id>/",
        views.worker_placement_detail,
        name="placement_detail",
    ),
]

client_urlpatterns = [
    path("", views.client_dashboard, name="dashboard"),
    path("departments/", views.client_departments, name="departments"),
    path("placements/", views.client_placements, name="placements"),
    path(
        "placements/<uuid:placement_id>/",
        views.client_placement_detail,
        name="placement_detail",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("role/", views.switch_role, name="switch_role"),
    path("language/", views.set_language, name="set_language"),
]
