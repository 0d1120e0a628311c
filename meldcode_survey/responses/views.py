"""The respondent's pages: landing, one page per section, review, submit, resume.

No JavaScript is needed anywhere. Every page is saved in the draft when the
respondent moves on; bad input re-renders the page with everything entered and a
4xx status; nothing here waits on Redis or Celery.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from meldcode_survey.lib.ratelimit import is_limited, is_over
from meldcode_survey.questionnaires.models import Questionnaire, Section, Version

from .flow import Flow
from .forms import ResumeForm, SectionForm, SubmitForm, initial_from_answers
from .models import Draft, Response, hash_resume_code
from .queries import live_draft, questionnaire_with_live_version
from .rendering import blank_blocks, page_blocks
from .screening import Flag
from .services import (
    IncompleteDraft,
    draft_new_resume_code,
    draft_save_answers,
    draft_start,
    response_submit,
)
from .summary import ScreeningResult, review_rows, screening_results

START_RATE = "300/10m"
RESUME_FAILURE_RATE = "20/10m"
REVIEW = "_review"  # Draft.current_section when the respondent is at the review
RESUME_CODE = "resume_code"  # the session's copy of a code just issued
# The hidden field of each page (draft_token): long enough to write a case.
DRAFT_TOKEN_SALT = "meldcode_survey.responses.draft"
DRAFT_TOKEN_MAX_AGE = timedelta(hours=2)
# Where "quick exit" leads: a neutral page that says nothing about this site.
QUICK_EXIT_URL = "https://www.google.nl/"


def _session_key(slug: str) -> str:
    return f"draft:{slug}"


def _questionnaire(slug: str) -> Questionnaire:
    return _questionnaire_with_live_version(slug)[0]


def _questionnaire_with_live_version(
    slug: str,
) -> tuple[Questionnaire, Version | None]:
    found = questionnaire_with_live_version(slug)
    if found is None:
        raise Http404
    return found


def draft_token(draft: Draft) -> str:
    """The draft's key, signed and dated, for the hidden field of each page.

    It brings the page back when the session expired while the respondent was
    typing; unlike the bare key it stops working after DRAFT_TOKEN_MAX_AGE, so a
    copied page or a forgotten tab is no lasting way into the draft. The resume
    code is the way back after that.
    """
    return signing.dumps(str(draft.key), salt=DRAFT_TOKEN_SALT)


def _posted_draft_key(request: HttpRequest) -> str | None:
    token = request.POST.get("draft", "")
    if not token:
        return None
    try:
        return signing.loads(token, salt=DRAFT_TOKEN_SALT, max_age=DRAFT_TOKEN_MAX_AGE)
    except signing.BadSignature:  # also an expired token
        return None


def _hold_draft(request: HttpRequest, slug: str, draft: Draft) -> None:
    """Keep the draft in this browser's session, until the browser closes.

    On a shared computer at work the next person must not continue someone
    else's answers: a respondent's session ends with the browser, and the
    resume code is the way back. Staff who try a questionnaire keep their own
    session rules (accounts.middleware).
    """
    request.session[_session_key(slug)] = str(draft.key)
    if not request.user.is_authenticated:
        request.session.set_expiry(0)


def _current_draft(
    request: HttpRequest, slug: str, *, posted: bool = True
) -> Draft | None:
    """The draft in the session, or the one the posted form's signed token names
    (the session may have expired while the respondent was typing).

    `posted` False: the session's draft only. A request that failed its CSRF
    check may come from another site, which must not tie this browser to a draft
    of its choosing (whose resume code it holds)."""
    key = request.session.get(_session_key(slug))
    if not key and posted:
        key = _posted_draft_key(request)
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    draft = live_draft(key, slug)
    # Only write the session when it changes: a write per page view costs a
    # database round trip and can fail during a database restart.
    if draft is not None and request.session.get(_session_key(slug)) != str(draft.key):
        _hold_draft(request, slug, draft)
    return draft


def _message_page(
    request: HttpRequest, title: str, message: str, status: int, **extra: Any
) -> HttpResponse:
    context = {"title": title, "message": message, **extra}
    return render(request, "responses/message.html", context, status=status)


def _no_draft(request: HttpRequest, questionnaire: Questionnaire) -> HttpResponse:
    return _message_page(
        request,
        _("No questionnaire in progress"),
        _(
            "We could not find answers in progress in this browser. Start again, or "
            "continue with your resume code."
        ),
        status=404,
        questionnaire=questionnaire,
    )


def _with_draft(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give the view the draft in progress, or explain how to get back to it."""

    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
        # The draft comes with its questionnaire: one query on the usual path.
        draft = _current_draft(request, slug)
        if draft is None:
            return _no_draft(request, _questionnaire(slug))
        return view(request, draft, **kwargs)

    return wrapped


@never_cache
@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire, version = _questionnaire_with_live_version(slug)
    if request.method == "POST":
        return _start(request, questionnaire, version)
    context = {
        "questionnaire": questionnaire,
        # What respondents read is the text of the live version.
        "texts": version or questionnaire,
        "is_open": version is not None and questionnaire.is_open(published=version),
        "draft": _current_draft(request, slug),
        "resume_form": ResumeForm(),
        "now": timezone.now(),
    }
    return render(request, "responses/landing.html", context)


def _start(
    request: HttpRequest, questionnaire: Questionnaire, version: Version | None
) -> HttpResponse:
    if version is None or not questionnaire.is_open(published=version):
        return redirect(questionnaire.get_absolute_url())
    if request.POST.get("website"):
        return _rejected(request)
    if is_limited(request, "start", rate=START_RATE):
        return _too_many(request)
    draft, code = draft_start(version)
    _hold_draft(request, questionnaire.slug, draft)
    # Shown on the first page (no page of its own: it would cost a click); kept
    # until the submit, which writes the session anyway.
    request.session[RESUME_CODE] = code
    first = Flow.for_version(version).visible_sections({})[0]
    return redirect("responses:page", slug=questionnaire.slug, section=first.code)


def _rejected(request: HttpRequest) -> HttpResponse:
    return _message_page(
        request,
        _("Your answers could not be processed"),
        _("Something in the form was not filled in by a person. Please try again."),
        status=400,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return _message_page(
        request,
        _("Too many attempts"),
        _("Too many attempts from this connection. Please wait a few minutes."),
        status=429,
    )


@never_cache
@_with_draft
def saved(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Show the resume code once, right after it was made."""
    questionnaire = draft.version.questionnaire
    slug = questionnaire.slug
    code = request.session.pop(RESUME_CODE, None)
    if code is None:
        return redirect("responses:continue", slug=slug)
    context = {"questionnaire": questionnaire, **_resume(request, slug, code)}
    return render(request, "responses/saved.html", context)


def _resume(request: HttpRequest, slug: str, code: str) -> dict[str, str]:
    link = reverse("responses:resume_link", args=[slug, code])
    return {"code": code, "link": request.build_absolute_uri(link)}


@never_cache
@_with_draft
def continue_draft(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Go to where the respondent left off."""
    slug = draft.version.questionnaire.slug
    if draft.current_section == REVIEW:
        return redirect("responses:review", slug=slug)
    flow = Flow.for_version(draft.version)
    visible = flow.visible_sections(draft.answers)
    current = flow.section(draft.current_section)
    if current not in visible:
        current = visible[0]
    return redirect("responses:page", slug=slug, section=current.code)


@never_cache
@require_http_methods(["GET", "POST"])
@_with_draft
def page(request: HttpRequest, draft: Draft, section: str) -> HttpResponse:
    slug = draft.version.questionnaire.slug
    flow = Flow.for_version(draft.version)
    current = flow.section(section)
    if current is None:
        raise Http404
    if current not in flow.visible_sections(draft.answers):
        return redirect("responses:continue", slug=slug)
    if request.method == "POST":
        return _save_page(request, flow, draft, current)
    return _render_page(request, flow, draft, current)


def _page_form(
    flow: Flow,
    draft: Draft,
    section: Section,
    data: QueryDict | None = None,
    partial: bool = False,
) -> SectionForm:
    questions = flow.visible_questions(section, draft.answers)
    return SectionForm(
        data,
        questions=questions,
        partial=partial,
        initial=initial_from_answers(questions, draft.answers),
        version=flow.version,
    )


def _render_page(
    request: HttpRequest,
    flow: Flow,
    draft: Draft,
    section: Section,
    form: SectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page with the draft's answers, or with the posted `form` and its errors."""
    if form is None and flow.version.frozen_key is not None:
        # A page view of a published version needs no form: its questions'
        # blank HTML is filled in with the draft's answers.
        questions = flow.visible_questions(section, draft.answers)
        initial = initial_from_answers(questions, draft.answers)
        blocks = blank_blocks(flow.version, questions, initial)
    else:
        form = form or _page_form(flow, draft, section)
        blocks = page_blocks(form)
    number, total = flow.step(section, draft.answers)
    previous, _next = flow.neighbours(section, draft.answers)
    slug = draft.version.questionnaire.slug
    code = request.session.get(RESUME_CODE) if previous is None else None
    context = {
        "questionnaire": draft.version.questionnaire,
        "draft": draft,
        "draft_token": draft_token(draft),
        "section": section,
        "form": form,
        "blocks": blocks,
        "step": number,
        "steps": total,
        "previous": previous,
        "to_review": request.GET.get("review") or request.POST.get("review"),
        **(_resume(request, slug, code) if code else {}),
    }
    return render(request, "responses/page.html", context, status=status)


def _save_page(
    request: HttpRequest, flow: Flow, draft: Draft, section: Section
) -> HttpResponse:
    action = request.POST.get("action", "next")
    form = _page_form(flow, draft, section, request.POST, partial=action != "next")
    if form.is_spam:
        return _rejected(request)
    if not form.is_valid():
        return _render_page(request, flow, draft, section, form, status=400)
    answers = {**draft.answers, **form.answers()}
    slug = draft.version.questionnaire.slug
    previous, following = flow.neighbours(section, answers)
    if action == "back" and previous:
        destination = previous.code
    elif action == "next" and following and not request.POST.get("review"):
        destination = following.code
    elif action == "save":
        destination = section.code
    else:
        destination = REVIEW
    if action == "save":
        code = draft_save_answers(
            draft, form.answers(), section_code=destination, new_resume_code=True
        )
        request.session[RESUME_CODE] = code
        return redirect("responses:saved", slug=slug)
    draft_save_answers(draft, form.answers(), section_code=destination)
    if destination == REVIEW:
        return redirect("responses:review", slug=slug)
    return redirect("responses:page", slug=slug, section=destination)


@never_cache
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, slug)
    draft = _current_draft(request, slug)
    if draft is None:
        return _no_draft(request, _questionnaire(slug))
    return _fresh_review(request, draft)


def _fresh_review(
    request: HttpRequest, draft: Draft, status: int = 200
) -> HttpResponse:
    """The review page with an unbound form, asking to confirm flagged texts."""
    flow = Flow.for_version(draft.version)
    screening = screening_results(flow, draft.answers)
    form = SubmitForm(
        initial={"submission_key": draft.key}, needs_confirmation=bool(screening)
    )
    return _render_review(request, flow, draft, form, status, screening)


def _render_review(
    request: HttpRequest,
    flow: Flow,
    draft: Draft,
    form: SubmitForm,
    status: int = 200,
    screening: list[ScreeningResult] | None = None,
) -> HttpResponse:
    if screening is None:
        screening = screening_results(flow, draft.answers)
    context = {
        "questionnaire": draft.version.questionnaire,
        "draft": draft,
        "draft_token": draft_token(draft),
        "rows": review_rows(flow, draft.answers),
        "screening": screening,
        "form": form,
        "steps": len(flow.visible_sections(draft.answers)) + 1,
    }
    return render(request, "responses/review.html", context, status=status)


def _submit(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return _rejected(request)
    draft = _current_draft(request, slug)
    if draft is None:
        # Stored already (a double click, the back button): the submit deleted
        # the draft in the transaction that stored the response.
        questionnaire = _questionnaire(slug)
        if Response.objects.filter(submission_key=key).exists():
            return _thanks_redirect(request, questionnaire)
        return _no_draft(request, questionnaire)
    questionnaire = draft.version.questionnaire
    if draft.key != key:
        # An earlier questionnaire's review page, sent again after a new start:
        # thank them again and keep the new draft.
        if Response.objects.filter(submission_key=key).exists():
            return redirect("responses:thanks", slug=questionnaire.slug)
        return _rejected(request)
    flow = Flow.for_version(draft.version)
    screened: dict[str, list[Flag]] = {}  # stored with the answers: screened once
    screening = screening_results(flow, draft.answers, screened)
    form = SubmitForm(request.POST, needs_confirmation=bool(screening))
    if not form.is_valid():
        return _render_review(
            request, flow, draft, form, status=400, screening=screening
        )
    try:
        response_submit(draft=draft, submission_key=key, screened=screened)
    except IncompleteDraft as incomplete:
        messages.error(request, _("Please answer the required questions on this page."))
        return redirect(
            "responses:page", slug=questionnaire.slug, section=incomplete.section_code
        )
    return _thanks_redirect(request, questionnaire)


def _thanks_redirect(
    request: HttpRequest, questionnaire: Questionnaire
) -> HttpResponse:
    request.session.pop(_session_key(questionnaire.slug), None)
    request.session.pop(RESUME_CODE, None)
    return redirect("responses:thanks", slug=questionnaire.slug)


@never_cache
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire = _questionnaire(slug)
    return render(request, "responses/thanks.html", {"questionnaire": questionnaire})


@never_cache
@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire = _questionnaire(slug)
    form = ResumeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _resume_with(request, questionnaire, form.cleaned_data["code"], form)
    status = 400 if form.is_bound else 200
    context = {"questionnaire": questionnaire, "form": form}
    return render(request, "responses/resume.html", context, status=status)


@never_cache
def resume_link(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    return _resume_with(request, _questionnaire(slug), code, ResumeForm({"code": code}))


def _resume_with(
    request: HttpRequest, questionnaire: Questionnaire, code: str, form: ResumeForm
) -> HttpResponse:
    if is_over(request, "resume-failure", rate=RESUME_FAILURE_RATE):
        return _too_many(request)
    draft = (
        Draft.objects.live()
        .filter(
            resume_code_hash=hash_resume_code(code),
            version__questionnaire=questionnaire,
        )
        .first()
    )
    if draft is None:
        is_limited(request, "resume-failure", rate=RESUME_FAILURE_RATE)
        form.add_error(
            "code",
            _(
                "This resume code is unknown or has expired. Check the code, or "
                "start again."
            ),
        )
        context = {"questionnaire": questionnaire, "form": form}
        return render(request, "responses/resume.html", context, status=404)
    request.session.cycle_key()
    _hold_draft(request, questionnaire.slug, draft)
    messages.success(request, _("Welcome back. Your answers have been kept."))
    return redirect("responses:continue", slug=questionnaire.slug)


@require_POST
@_with_draft
def new_code(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Issue a fresh resume code for the draft in progress."""
    request.session[RESUME_CODE] = draft_new_resume_code(draft)
    return redirect("responses:saved", slug=draft.version.questionnaire.slug)


@never_cache
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Leave at once, leaving nothing behind: the respondent's session (draft,
    resume code) is cleared, and the browser is asked to forget this site's
    cookies and cached pages. A signed-in user's session stays; only the
    respondent's part of it goes."""
    response = HttpResponseRedirect(QUICK_EXIT_URL)
    response["Referrer-Policy"] = "no-referrer"
    if request.user.is_authenticated:
        drafts = _session_key("")
        for key in [k for k in request.session.keys() if k.startswith(drafts)]:
            del request.session[key]
        request.session.pop(RESUME_CODE, None)
    else:
        request.session.flush()
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def page_after_csrf_failure(request: HttpRequest) -> HttpResponse | None:
    """An expired form never costs the respondent their page: a page or review
    whose post failed its CSRF check (an expired session) is shown again with
    what they posted, a fresh token and a message; None for any other request.
    Called by the site's CSRF failure view (meldcode_survey.views.csrf_failure)."""
    message = _(
        "Your session had expired, so your last step was not saved yet. Your answers "
        "are still here: please press the button again."
    )
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.namespace != "responses":
        return None
    if match.url_name == "page":
        return _csrf_page(request, message, **match.kwargs)
    if match.url_name == "review":
        draft = _current_draft(request, match.kwargs["slug"], posted=False)
        if draft is not None:
            messages.warning(request, message)
            return _fresh_review(request, draft, status=403)
    return None


def _csrf_page(
    request: HttpRequest, message: str, slug: str, section: str
) -> HttpResponse | None:
    draft = _current_draft(request, slug, posted=False)
    if draft is None:
        return None
    flow = Flow.for_version(draft.version)
    current = flow.section(section)
    if current is None:
        return None
    messages.warning(request, message)
    form = _page_form(flow, draft, current, request.POST, partial=True)
    form.is_valid()  # bound to the posted values so they are shown again
    return _render_page(request, flow, draft, current, form, status=403)
