"""Invitation links: how a new account gets its password and authenticator app.

An administrator makes the account without a password (the admin's add form, or
`manage.py invite`) and sends it an invitation link. The link carries Django's
password-reset token under a salt of its own: it stops working once used
(setting the password changes the hash the token is made from) and after
INVITATION_HOURS (settings.PASSWORD_RESET_TIMEOUT). Whoever follows it chooses
the password and, in that same session, links an authenticator app.

Only such a session may link an app (`may_enrol`): knowing the password of an
account that has no app yet is not enough to claim its second factor. A user
whose app was reset (lost phone) gets a new invitation.

Every path that invites (the admin's add form and action, `manage.py invite`,
`manage.py reset_two_factor`, the demo accounts) goes through `invite`, which
makes the link, e-mails it and records the audit entry.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from meldcode_survey import audit
from meldcode_survey.audit.models import Action

from .access import AnyUser

ENROL_SESSION_KEY = "_may_enrol"

logger = logging.getLogger(__name__)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "meldcode_survey.accounts.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_tokens.make_token(user)
    return reverse("accounts:invitation", args=[uid, token])


def invitation_url(user: User, request: HttpRequest | None = None) -> str:
    """The link to send; absolute, on this site (SITE_URL outside a request)."""
    path = invitation_path(user)
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


def send_invitation(user: User, url: str) -> bool:
    """E-mail the link to the user; False when it was not sent (no address, no
    mail server configured, or the mail server refused)."""
    if not user.email or settings.EMAIL_BACKEND == DUMMY_BACKEND:
        return False
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    body = _(
        "An account has been made for you on the meldcode survey.\n\n"
        "Open this link to choose your password and set up the app for the second "
        "login step:\n\n%(url)s\n\n"
        "The link works once and expires after %(hours)d hours. Did you not expect "
        "this? Then ignore this message."
    ) % {"url": url, "hours": hours}
    try:
        send_mail(_("Your account on the meldcode survey"), body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        # The administrator is shown the link either way and can pass it on.
        logger.exception("Could not e-mail the invitation of user %s", user.pk)
        return False
    return True


@dataclass(frozen=True)
class Invitation:
    url: str
    emailed: bool


def invite(
    user: User, actor: AnyUser | None = None, request: HttpRequest | None = None
) -> Invitation:
    """Make `user`'s invitation link, e-mail it when possible and audit it.

    `actor` is who invites (None for a management command); with `request` the
    link is on the request's host, otherwise on SITE_URL.
    """
    url = invitation_url(user, request)
    emailed = send_invitation(user, url)
    audit.record(
        actor, Action.USER_CHANGED, user, invitation_sent=True, emailed=emailed
    )
    return Invitation(url=url, emailed=emailed)


def allow_enrolment(request: HttpRequest) -> None:
    """This session came through an invitation: it may link an app."""
    request.session[ENROL_SESSION_KEY] = request.user.pk


def may_enrol(request: HttpRequest) -> bool:
    return request.session.get(ENROL_SESSION_KEY) == request.user.pk


def end_enrolment(request: HttpRequest) -> None:
    request.session.pop(ENROL_SESSION_KEY, None)
