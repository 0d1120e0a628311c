from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("Meldcode survey administration")
admin.site.site_title = _("Meldcode survey")

handler500 = "meldcode_survey.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("q/", include("meldcode_survey.responses.urls")),
    path("review/", include("meldcode_survey.review.urls")),
    path("dashboard/", include("meldcode_survey.dashboard.urls")),
    path("downloads/", include("meldcode_survey.exports.urls")),
]
