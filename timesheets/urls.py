from django.urls import path

from timesheets import views

worker_urlpatterns = [
    path("", views.worker_home, name="dashboard"),
    path("werkbriefjes/", views.worker_werkbrieven, name="werkbrieven"),
    path("werkbrief/<uuid:werkbrief_id>/", views.worker_werkbrief, name="werkbrief"),
    path(
        "werkbrief/<uuid:werkbrief_id>/preview/",
        views.worker_werkbrief_preview,
        name="werkbrief_preview",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/submit/",
        views.worker_werkbrief_submit,
        name="werkbrief_submit",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/expenses/",
        views.worker_expense_add,
        name="expense_add",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/comments/",
        views.worker_werkbrief_comment,
        name="werkbrief_comment",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/correction/",
        views.worker_werkbrief_correction,
        name="werkbrief_correction",
    ),
    path(
        "expenses/<uuid:expense_id>/remove/",
        views.worker_expense_remove,
        name="expense_remove",
    ),
    path(
        "expenses/<uuid:expense_id>/receipt/",
        views.worker_expense_receipt,
        name="expense_receipt",
    ),
]

client_urlpatterns = [
    path("", views.client_home, name="dashboard"),
    path("werkbriefjes/", views.client_werkbrieven, name="werkbrieven"),
    path("werkbrief/<uuid:werkbrief_id>/", views.client_werkbrief, name="werkbrief"),
    path(
        "werkbrief/<uuid:werkbrief_id>/preview/",
        views.client_werkbrief_preview,
        name="werkbrief_preview",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/approve/",
        views.client_werkbrief_approve,
        name="werkbrief_approve",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/reject/",
        views.client_werkbrief_reject,
        name="werkbrief_reject",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/expenses/",
        views.client_expense_add,
        name="expense_add",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/comments/",
        views.client_werkbrief_comment,
        name="werkbrief_comment",
    ),
    path(
        "werkbrief/<uuid:werkbrief_id>/correction/",
        views.client_werkbrief_correction,
        name="werkbrief_correction",
    ),
    path(
        "expenses/<uuid:expense_id>/remove/",
        views.client_expense_remove,
        name="expense_remove",
    ),
    path(
        "expenses/<uuid:expense_id>/receipt/",
        views.client_expense_receipt,
        name="expense_receipt",
    ),
]
