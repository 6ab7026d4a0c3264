from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("keep-alive/", views.keep_alive, name="session-keep-alive"),
]
