from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import LoginForm
from .signin import views as signin_views
from .throttle import per_address

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        per_address("signin", "RATELIMIT_SIGNIN")(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        signin_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/delegations/", views.delegation_create, name="delegation-create"),
    path("profile/delegations/<int:pk>/end/", views.delegation_end, name="delegation-end"),
    path("profile/email/", views.email_preferences, name="email-preferences"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_all_read, name="notifications-read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    # The servant's journey.
    path("requests/", views.my_requests, name="my-requests"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/renew/", views.request_renew, name="request-renew"),
    path(
        "requests/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path(
        "requests/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment-remove",
    ),
    # The officer's journey.
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/decided/", views.decided_by_me, name="decided-by-me"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request-decide"),
    path("requests/<int:pk>/revoke/", views.request_revoke, name="request-revoke"),
    # The Establishment Division.
    path("audit/", include("permissions.console.urls")),
]
