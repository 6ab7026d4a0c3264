from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="second-factor"),
    path("set-up/", views.enrol, name="second-factor-enrol"),
    path("set-up/qr.svg", views.qr_code, name="second-factor-qr"),
    path("code/", views.verify, name="second-factor-verify"),
    path("backup-codes/", views.backup_codes, name="second-factor-backup-codes"),
    path("backup-codes/new/", views.new_backup_codes, name="second-factor-new-codes"),
]
