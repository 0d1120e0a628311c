from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.index, name="index"),
    path("next/", views.next_narrative, name="next"),
    path("<int:pk>/", views.narrative, name="narrative"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/redaction/", views.redaction, name="redaction"),
    path(
        "<int:pk>/redaction/approve/",
        views.redaction_approve,
        name="redaction_approve",
    ),
    path(
        "<int:pk>/redaction/example/",
        views.redaction_example,
        name="redaction_example",
    ),
    path(
        "<int:pk>/redaction/dismiss/",
        views.redaction_dismiss,
        name="redaction_dismiss",
    ),
    path("agreement/", views.agreement, name="agreement"),
    path("frequencies/", views.frequencies, name="frequencies"),
]
