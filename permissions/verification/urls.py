from __future__ import annotations

from django.urls import URLPattern, path

from . import views

# Under /check/: the short-code form, and the page a letter's QR code opens.
urlpatterns: list[URLPattern] = [
    path("", views.short_code, name="verify-code"),
    path("<str:token>/", views.letter, name="verify-letter"),
]
