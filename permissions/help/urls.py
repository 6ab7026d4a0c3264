from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="help"),
    path("servants/", views.guide, {"audience": "servant"}, name="help-servants"),
    path("officers/", views.guide, {"audience": "officer"}, name="help-officers"),
    path("auditors/", views.guide, {"audience": "auditor"}, name="help-auditors"),
    path("contact/", views.contact, name="help-contact"),
]
