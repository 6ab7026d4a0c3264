from __future__ import annotations

from django.urls import URLPattern, path

from . import views

# Under /audit/exports/, beside the console.
urlpatterns: list[URLPattern] = [
    path("", views.export_list, name="export-list"),
    path("new/", views.export_new, name="export-new"),
    path("<int:pk>/", views.export_detail, name="export-detail"),
    path("<int:pk>/download/", views.export_download, name="export-download"),
]
