from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
    path("<slug:slug>/", views.landing, name="landing"),
]
