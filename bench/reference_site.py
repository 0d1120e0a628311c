"""A bare Django site with the seed questionnaire's dilemma page, as a yardstick.

One page of 30 Likert items rendered with crispy-forms (Bootstrap 5), Django's
default middleware, and a submit that validates and INSERTs one row. No
sessions are written, no drafts, no translations. `respondent_cpu` serves it
under gunicorn next to the product and walks it with the same client, so the
two figures come from the same machine at the same moment.

    DJANGO_SETTINGS_MODULE=reference_site gunicorn reference_site:application
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import environ

HERE = Path(__file__).resolve().parent
ITEMS = 30
LABELS = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
POINTS = [(str(i), label) for i, label in enumerate(LABELS, start=1)]
POINTS.append(("na", "Niet van toepassing"))

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "reference_site"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "crispy_forms",
    "crispy_bootstrap5",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        ("django.template.loaders.locmem.Loader", {}),
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]
DATABASES = {"default": environ.Env().db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 600
USE_I18N = False
USE_TZ = True
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
TABLE = "bench_reference_submission"

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Dilemma's</title></head><body><main class="container">
<h1>Dilemma's</h1>
<form method="post">{% load crispy_forms_tags %}{% csrf_token %}
{{ form|crispy }}<button type="submit" class="btn btn-primary">Versturen</button>
</form></main></body></html>"""
THANKS = "<!doctype html><html lang='nl'><body><p>Bedankt.</p></body></html>"


def _urls() -> list:
    from django import forms
    from django.db import connection
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import path

    class DilemmaForm(forms.Form):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            for i in range(1, ITEMS + 1):
                self.fields[f"q_D{i:02d}"] = forms.ChoiceField(
                    label=f"Stelling {i}: ik weet wat ik moet doen bij zorgen.",
                    choices=POINTS,
                    widget=forms.RadioSelect,
                )

    page_template = engines["django"].from_string(PAGE)

    def page(request):  # noqa: ANN001, ANN202
        form = DilemmaForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (answers) VALUES (%s)",
                    [json.dumps(form.cleaned_data)],
                )
            return HttpResponse(THANKS)
        return HttpResponse(page_template.render({"form": form}, request))

    return [path("", page)]


def create_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(id bigserial PRIMARY KEY, answers jsonb NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )


urlpatterns: list = []

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reference_site")
if os.environ.get("DJANGO_SETTINGS_MODULE") == "reference_site":
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    urlpatterns = _urls()
