from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
    path("snel-weg/", views.quick_exit, name="quick_exit"),
    path("<slug:slug>/", views.landing, name="landing"),
    path("<slug:slug>/opgeslagen/", views.saved, name="saved"),
    path("<slug:slug>/verder/", views.continue_draft, name="continue"),
    path("<slug:slug>/pagina/<slug:section>/", views.page, name="page"),
    path("<slug:slug>/controleren/", views.review, name="review"),
    path("<slug:slug>/bedankt/", views.thanks, name="thanks"),
    path("<slug:slug>/hervatten/", views.resume, name="resume"),
    path("<slug:slug>/hervatten/<str:code>/", views.resume_link, name="resume_link"),
    path("<slug:slug>/nieuwe-code/", views.new_code, name="new_code"),
]
