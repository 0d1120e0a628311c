"""Every URL pattern, for every role: who gets in, who is refused, and that no
request ends in a server error.

The patterns are read from the URL resolver, so a new page is covered as soon
as it is routed. Path parameters are filled with real objects (the seed
questionnaire, a submitted case, exports, a device) where the route names one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldcode_survey.accounts.models import AnalystSectorAccess
from meldcode_survey.accounts.roles import ANALYST, STAFF
from meldcode_survey.exports.models import Export
from meldcode_survey.questionnaires.models import Questionnaire
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

SLUG = "brede-reflectie"
ROLES = ("anonymous", "analyst", "analyst_other_sector", "staff")
ANALYSTS = ("analyst", "analyst_other_sector")
PUBLIC_NAMESPACES = {"responses"}
PUBLIC_NAMES = {
    ":home",
    ":healthz",
    ":accessibility",
    ":set_language",
    "accounts:session_status",
    "accounts:session_extend",
    "accounts:invitation",
}
# Logging in and out: open to all; the way in may of course lead to the login.
LOGIN_NAMES = {":login", ":admin_login", "admin:login"}
LOGOUT_NAMES = {":logout", "admin:logout"}
SIGNED_IN_NAMES = {"accounts:verify", "accounts:setup"}
STAFF_ONLY_NAMESPACES = {"review"}
ANALYST_AND_STAFF_NAMESPACES = {"dashboard", "exports"}
# Within those, some actions are for staff (e.g. writing notes); these pages
# must never refuse an analyst.
ANALYST_ENTRY_POINTS = {"dashboard:index", "exports:index"}
LOGIN_PATHS = ("/login/", "/admin/login/")


@dataclass(frozen=True)
class Route:
    namespace: str
    name: str
    route: str  # the full route, converters still in it

    @property
    def key(self) -> str:
        return f"{self.namespace}:{self.name or ''}"


def _routes(resolver=None, prefix: str = "", namespace: str = "") -> list[Route]:
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            found += _routes(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            found.append(Route(namespace, pattern.name or "", route))
    return found


@pytest.fixture
def world(db, seed_version, submit, settings, tmp_path):
    """A published questionnaire with a submitted case in childcare, a summary
    of childcare made by the schedule, a raw export, and a device."""
    settings.MEDIA_ROOT = tmp_path
    response = submit(seed_version)
    staff = factories.UserFactory(role=STAFF, is_staff=True)
    summary = _done_export(seed_version, Export.Kind.SUMMARY, "kinderopvang", None)
    raw = _done_export(seed_version, Export.Kind.RAW, "", staff)
    return {
        "version": seed_version,
        "narrative": response.narrative,
        "summary": summary,
        "raw": raw,
        "staff": staff,
        "device": TOTPDevice.objects.create(user=staff, name="phone", confirmed=True),
    }


def _done_export(version, kind, sector, user) -> Export:
    export = Export.objects.create(
        kind=kind,
        version=version,
        format=Export.Format.CSV,
        sector=sector,
        requested_by=user,
    )
    content = b"sector,n\nkinderopvang,12\n"
    export.file.save(f"export-{export.pk}.csv", ContentFile(content), save=False)
    export.status = Export.Status.DONE
    export.sha256 = hashlib.sha256(content).hexdigest()
    export.filename = f"export-{export.pk}.csv"
    export.save()
    return export


def _clients(world) -> dict[str, Client]:
    analyst = factories.UserFactory(role=ANALYST)
    limited = factories.UserFactory(role=ANALYST)
    AnalystSectorAccess.objects.create(user=limited, sectors=["onderwijs"])
    clients = {
        "anonymous": Client(raise_request_exception=False),
        "analyst": login_verified(Client(raise_request_exception=False), analyst),
        "analyst_other_sector": login_verified(
            Client(raise_request_exception=False), limited
        ),
        "staff": login_verified(Client(raise_request_exception=False), world["staff"]),
    }
    for client in clients.values():
        # A draft in progress, so that the respondent's pages show answers.
        client.post(f"/q/{SLUG}/")
    return clients


def _first_pk(app_label: str, model_name: str) -> str:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return "1"
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(first or 1)


def _value(route: Route, name: str, world) -> str:
    admin_model = re.match(r"admin/(\w+)/(\w+)/", route.route)
    if name == "slug":
        return SLUG
    if name == "section":
        return world["version"].sections.order_by("position").first().code
    if name == "code":
        return "ABCD-EFGH-JKMN"
    if name == "content_type_id":
        return str(ContentType.objects.get_for_model(Questionnaire).pk)
    if name == "object_id" and route.name == "view_on_site":
        return str(world["version"].questionnaire.pk)
    if admin_model and name in ("object_id", "pk"):
        return _first_pk(*admin_model.groups())
    if route.namespace == "review":
        return str(world["narrative"].pk)
    if route.namespace == "exports":
        return str(world["summary"].pk)
    return "1"


def _url(route: Route, world) -> str:
    if route.name == "app_list":
        return "/admin/questionnaires/"
    if "(?P<url>" in route.route:
        return "/admin/no-such-page/"
    path = re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: _value(route, m.group(1), world), route.route
    )
    return "/" + path.lstrip("^").rstrip("$")


def _kind(route: Route) -> str:
    if route.key in LOGIN_NAMES | LOGOUT_NAMES:
        return "login"
    if route.namespace in PUBLIC_NAMESPACES or route.key in PUBLIC_NAMES:
        return "public"
    if route.key in SIGNED_IN_NAMES:
        return "signed_in"
    if route.namespace == "admin":
        return "staff_admin"
    if route.namespace in STAFF_ONLY_NAMESPACES:
        return "staff"
    if route.namespace in ANALYST_AND_STAFF_NAMESPACES:
        return "analyst_and_staff"
    return "unknown"


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATHS)


def _problem(route: Route, role: str, response) -> str | None:
    kind = _kind(route)
    status = response.status_code
    if status >= 500:
        return "server error"
    if kind == "login":
        return None
    if kind == "public":
        return "asks to log in" if _to_login(response) else None
    if role == "anonymous":
        # Refused one way or another: the login page, or 403/404/405.
        if status < 300 or (status < 400 and not _to_login(response)):
            return "open to anonymous users"
        return None
    if kind == "signed_in":
        return None
    if kind in ("staff", "staff_admin") and role in ANALYSTS:
        if status == 200 or not (status == 403 or _to_login(response)):
            return "open to analysts"
        return None
    if _to_login(response):
        return "asks a signed-in user to log in again"
    if role in ANALYSTS and status == 403 and route.key in ANALYST_ENTRY_POINTS:
        return "refused to analysts"
    # Staff hold every permission of their apps; in the admin some models are
    # for administrators only (users, audit log, devices).
    if role == "staff" and status == 403 and kind != "staff_admin":
        return "refused to staff"
    return None


def test_every_url_is_classified():
    unknown = [r.route for r in _routes() if _kind(r) == "unknown"]
    assert unknown == []


def test_role_by_url_matrix(world):
    clients = _clients(world)
    problems = []
    routes = _routes()
    for route in routes:
        url = _url(route, world)
        for role, client in clients.items():
            # POST for those who must be refused; never log the client out.
            methods = ["GET"]
            if role != "staff" and route.key not in LOGOUT_NAMES:
                methods.append("POST")
            for method in methods:
                response = getattr(client, method.lower())(url)
                problem = _problem(route, role, response)
                if problem:
                    problems.append(
                        f"{method} {url} ({route.key}) as {role}: "
                        f"{response.status_code} {problem}"
                    )
    assert len(routes) > 50
    assert problems == [], "\n".join(problems)


def test_an_analyst_never_downloads_another_sector_or_raw_data(world):
    from meldcode_survey.dashboard import queries

    clients = _clients(world)
    limited = clients["analyst_other_sector"]
    summary, raw = world["summary"], world["raw"]

    assert clients["analyst"].get(f"/downloads/{summary.pk}/file/").status_code == 200
    assert clients["analyst"].get(f"/downloads/{raw.pk}/file/").status_code == 404
    assert clients["staff"].get(f"/downloads/{raw.pk}/file/").status_code == 200
    analyst = get_user_model().objects.get(pk=limited.session["_auth_user_id"])
    assert queries.allowed_sectors(analyst) is not None  # the limit is in force
    assert limited.get(f"/downloads/{summary.pk}/file/").status_code == 404
    assert (
        f"/downloads/{summary.pk}/file/"
        not in limited.get("/downloads/").content.decode()
    )


# --- What each role's files hold --------------------------------------------

LIMITED_SECTOR = "onderwijs"
FILE_FORMATS = ("csv", "xlsx", "pdf")


def _both_languages(message: str) -> set[str]:
    from django.utils import translation

    found = set()
    for language in ("nl", "en"):
        with translation.override(language):
            found.add(translation.gettext(message).replace("%(n)s", "").strip())
    return found


def _page_shows_all_sectors(html: str) -> bool:
    """The dashboard shows a figure of all sectors together."""
    markers = _both_languages("%(n)s in all sectors") | _both_languages(
        "Which dilemmas play a part? All sectors"
    )
    return any(marker in html for marker in markers)


def _file_shows_all_sectors(export: Export, content: bytes) -> bool:
    """The file holds a figure of all sectors together: their row in the
    respondents table, or a sector's difference with all sectors."""
    import csv
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    if export.format == "csv":
        rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        return any(
            (row["table"] == "respondents" and row["code"] == "all")
            or row["measure"].startswith("vs_all")
            for row in rows
        )
    if export.format == "xlsx":
        labels = _both_languages("All sectors") | _both_languages(
            "Difference with all sectors (points)"
        )
        book = load_workbook(io.BytesIO(content), read_only=True)
        return any(
            cell in labels
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )
    return bool(_other_sectors_with_figures(export, " ".join(text.split())))


def _other_sectors_with_figures(export: Export, text: str) -> set[str]:
    """The sectors other than the file's own that `text` gives a figure of: a
    sector's label followed by a count or a hidden count's mark."""
    from django.utils import translation

    from meldcode_survey.questionnaires.sectors import sector_labels

    figure = r"(?:< )?\d[\d.,]*"  # a count, or the mark of a hidden one
    found = set()
    for language in ("nl", "en"):
        with translation.override(language):
            labels = sector_labels()
        for code, label in labels.items():
            if code != export.sector and re.search(
                rf"\b{re.escape(label)} {figure}", text
            ):
                found.add(code)
    return found


def test_every_file_of_a_role_withholds_what_its_pages_withhold(
    world, submit_now, django_capture_on_commit_callbacks
):
    """Whatever the dashboard withholds from a role, the files made for that
    role withhold too: the schedule's packs and the role's own requests."""
    from meldcode_survey.exports.schedules import summary_packs
    from tests.conftest import celery_in_process, complete_answers

    version = world["version"]
    for sector in ("kinderopvang", LIMITED_SECTOR) * 3:
        submit_now(version, complete_answers(sector=sector))
    clients = {r: c for r, c in _clients(world).items() if r != "anonymous"}
    with celery_in_process(), django_capture_on_commit_callbacks(execute=True):
        summary_packs()
        for client in clients.values():
            for fmt in FILE_FORMATS:
                data = {"kind": "summary", "version": version.pk, "format": fmt}
                client.post("/downloads/request/", {**data, "sector": LIMITED_SECTOR})

    shown = {}
    for role, client in clients.items():
        pages: dict[str, object] = {}
        exports = client.get("/downloads/").context["exports"]
        files = [
            e
            for e in exports
            if e.status == Export.Status.DONE
            and e.pk not in (world["summary"].pk, world["raw"].pk)
        ]
        assert {e.format for e in files} == set(FILE_FORMATS), role
        for export in files:
            if export.sector not in pages:
                path = "" if export.is_all_sectors else f"{export.sector}/"
                pages[export.sector] = client.get(f"/dashboard/{SLUG}/{path}")
            page = pages[export.sector]
            # Every file is of a sector with responses, whose page the role sees.
            assert page.status_code == 200, (
                f"{role} has {export.filename}, but its page answers {page.status_code}"
            )
            response = client.get(f"/downloads/{export.pk}/file/")
            content = b"".join(response.streaming_content)
            page_all = _page_shows_all_sectors(page.content.decode())
            file_all = _file_shows_all_sectors(export, content)
            shown[role, export.format, export.pk] = (page_all, file_all)
            assert page_all or not file_all, (
                f"{role} gets figures of all sectors in {export.filename}, "
                "which the dashboard withholds from them"
            )
    # The check can fail: analysts who see all sectors get them in every
    # format of file too.
    assert {
        fmt for (role, fmt, _pk), (_p, f) in shown.items() if role == "analyst" and f
    } == set(FILE_FORMATS)
    assert any(
        not p
        for (role, _fmt, _pk), (p, _f) in shown.items()
        if role == "analyst_other_sector"
    )
