from __future__ import annotations

from django.urls import URLPattern, path

from . import views

# Under /inbox/bulk/.
urlpatterns: list[URLPattern] = [
    path("", views.bulk_decide, name="bulk-decide"),
    path("result/", views.bulk_result, name="bulk-result"),
]
