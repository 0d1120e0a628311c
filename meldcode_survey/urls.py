from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from meldcode_survey.accounts import views as account_views
from meldcode_survey.accounts.admin import AdminSite

from . import views

# The admin, too, requires a second factor (besides TwoFactorRequiredMiddleware)
# and audits a password change; changing the class keeps every registration
# made with @admin.register.
admin.site.__class__ = AdminSite
admin.site.site_header = _("Meldcode survey administration")
admin.site.site_title = _("Meldcode survey")

handler400 = "meldcode_survey.views.bad_request"
handler500 = "meldcode_survey.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One way in, with lockout and the second factor, for the admin as well.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("meldcode_survey.accounts.urls")),
    path("q/", include("meldcode_survey.responses.urls")),
    path("review/", include("meldcode_survey.review.urls")),
    path("dashboard/", include("meldcode_survey.dashboard.urls")),
    path("downloads/", include("meldcode_survey.exports.urls")),
]
