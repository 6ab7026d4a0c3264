from django.urls import path

from . import views

urlpatterns = [
    path("", views.csp_report, name="csp-report"),
]
