"""The audit console, under /audit/ (permissions/urls.py includes it)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="audit-console"),
    path("requests/", views.request_search, name="console-requests"),
    path(
        "requests/export.csv",
        views.request_export,
        {"fmt": "csv"},
        name="console-requests-csv",
    ),
    path(
        "requests/export.xlsx",
        views.request_export,
        {"fmt": "xlsx"},
        name="console-requests-xlsx",
    ),
    path("requests/<int:pk>/", views.request_record, name="console-request"),
    path("log/", views.audit_log, name="console-audit-log"),
    path("log/export.csv", views.audit_log_export, {"fmt": "csv"}, name="console-audit-log-csv"),
    path("log/export.xlsx", views.audit_log_export, {"fmt": "xlsx"}, name="console-audit-log-xlsx"),
    path("verification/", views.verification, name="console-verification"),
    path("verification/run/", views.verify, name="console-verify"),
]
