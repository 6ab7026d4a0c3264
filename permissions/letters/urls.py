from __future__ import annotations

from django.urls import URLPattern, path

from . import views

# Under /letters/.
urlpatterns: list[URLPattern] = [
    path("<int:pk>/", views.letter_download, name="letter-download"),
]
