from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Conduct Portal administration")
admin.site.site_title = _("Conduct Portal")

# The other error pages are Django's own views rendering the portal's templates.
handler400 = "permissions.errorpages.views.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("csp-report/", include("permissions.csp.urls")),
    path("second-factor/", include("permissions.twofactor.urls")),
    path("session/", include("permissions.signin.urls")),
    path("", include("permissions.urls")),
]
