"""The register, under /register/ (conduct_portal/urls.py includes it)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.mine, name="register"),
    path("confirm/", views.confirm, name="register-confirm"),
    path("search/", views.search, name="register-search"),
]
for kind in views.KINDS:
    urlpatterns += [
        path(f"{kind}/new/", views.entry_new, {"kind": kind}, name=f"register-{kind}-new"),
        path(
            f"{kind}/<int:pk>/edit/", views.entry_edit, {"kind": kind}, name=f"register-{kind}-edit"
        ),
        path(
            f"{kind}/<int:pk>/remove/",
            views.entry_remove,
            {"kind": kind},
            name=f"register-{kind}-remove",
        ),
        path(
            f"{kind}/<int:pk>/permission/",
            views.permission_ask,
            {"kind": kind},
            name=f"register-{kind}-permission",
        ),
    ]
