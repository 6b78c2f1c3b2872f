from django.urls import path

from staffing import views

worker_urlpatterns = [
    path("placements/", views.worker_placements, name="placements"),
    path(
        "placements/<uuid:placement_id>/",
        views.worker_placement_detail,
        name="placement_detail",
    ),
    path("details/", views.worker_details, name="details"),
    path("details/edit/", views.worker_details_edit, name="details_edit"),
    path("details/bank-account/", views.worker_bank_account, name="bank_account"),
    path("details/id-document/", views.worker_id_document, name="id_document"),
    path("details/id-document/file/", views.worker_id_document_file, name="id_document_file"),
    path("details/photo/", views.worker_photo, name="photo"),
    path("details/photo/file/", views.worker_photo_file, name="photo_file"),
]

client_urlpatterns = [
    path("departments/", views.client_departments, name="departments"),
    path("placements/", views.client_placements, name="placements"),
    path(
        "placements/<uuid:placement_id>/",
        views.client_placement_detail,
        name="placement_detail",
    ),
    path("details/", views.client_details, name="details"),
    path("details/edit/", views.client_details_edit, name="details_edit"),
]
