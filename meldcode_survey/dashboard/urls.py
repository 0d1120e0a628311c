from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/<slug:sector>/", views.sector, name="sector"),
    path("<slug:slug>/<slug:sector>/note/", views.note_edit, name="note_edit"),
]
