from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Conduct Portal administration")
admin.site.site_title = _("Conduct Portal")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("csp-report/", include("permissions.csp.urls")),
    path("", include("permissions.urls")),
]
