from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from permissions.throttle import per_address

admin.site.site_header = _("Conduct Portal administration")
admin.site.site_title = _("Conduct Portal")
# The admin's own sign-in form is a door like the portal's: limited per address too.
admin.site.login = per_address("signin", "RATELIMIT_SIGNIN")(admin.site.login)  # type: ignore[method-assign]

# The other error pages are Django's own views rendering the portal's templates.
handler400 = "permissions.errorpages.views.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("csp-report/", include("permissions.csp.urls")),
    path("second-factor/", include("permissions.twofactor.urls")),
    path("session/", include("permissions.signin.urls")),
    path("letters/", include("permissions.letters.urls")),
    path("inbox/bulk/", include("permissions.bulk.urls")),
    path("check/", include("permissions.verification.urls")),
    path("audit/exports/", include("permissions.exports.urls")),
    path("help/", include("permissions.help.urls")),
    path("register/", include("permissions.register.urls")),
    path("language/", include("permissions.languages.urls")),
    path("", include("permissions.urls")),
]
