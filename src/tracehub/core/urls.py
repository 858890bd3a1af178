"""URLs of the platform core: home, console landing, sign-in, language switch."""

from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from tracehub.core import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API docs).
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=True)),
    path("console/", views.console_index, name="console"),
    # Not redirect_authenticated_user: a signed-in user sent here by a page they may not open
    # must be able to sign in as someone else rather than loop back (login.html says so).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Named templates: django.contrib.admin ships registration/password_change_*.html and, being
    # installed first, would win over ours.
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="core/password_change_form.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
    # set_language (POST, CSRF-protected): the language switch in the page header.
    path("i18n/", include("django.conf.urls.i18n")),
]
