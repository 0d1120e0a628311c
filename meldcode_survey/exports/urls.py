from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("request/", views.request_export, name="request"),
    path("<int:pk>/file/", views.download, name="download"),
    path("sector/<slug:sector>/<str:format>/", views.sector_file, name="sector_file"),
]
