from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm, PortalPasswordChangeForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("requests/", views.my_requests, name="my-requests"),
    path("inbox/", views.inbox, name="inbox"),
    path("audit/", views.audit_console, name="audit-console"),
    path("profile/", views.profile, name="profile"),
]
