"""Settings for meldcode-survey: one file, driven by environment variables.

With nothing set the platform runs on the embedded default: SQLite, Celery tasks
executed in-process, DEBUG on. Production sets DEBUG=false and gives DATABASE_URL,
REDIS_URL, SECRET_KEY and ALLOWED_HOSTS; see .env.example.
"""

import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and (
    SECRET_KEY == _DEV_SECRET_KEY
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith(("django-insecure", "change-me"))
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or insecure: production mode (DEBUG=false) needs a "
        "random value of at least 50 characters."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth: its createsuperuser and changepassword (which
    # audit) take the place of auth's. It has no templates, static files or
    # translations of its own that this order could let win elsewhere.
    "meldcode_survey.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "meldcode_survey.questionnaires",
    "meldcode_survey.responses",
    "meldcode_survey.review",
    "meldcode_survey.dashboard",
    "meldcode_survey.exports",
    "meldcode_survey.audit",
    # Synthetic data and its bulk loader (generate_responses): demos, tests and
    # benchmarks only; it refuses a database that holds real responses.
    "meldcode_survey.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "meldcode_survey.lib.middleware.SitePolicyCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "meldcode_survey.lib.middleware.LanguageCookieMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Order matters: an idle session is ended before the second-factor check,
    # and the audit log sees the user that is left.
    "meldcode_survey.accounts.middleware.IdleTimeoutMiddleware",
    "meldcode_survey.accounts.middleware.TwoFactorRequiredMiddleware",
    "meldcode_survey.audit.middleware.AuditActorMiddleware",
    "meldcode_survey.accounts.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout raised during authentication into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "meldcode_survey.urls"
WSGI_APPLICATION = "meldcode_survey.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meldcode_survey.accounts.context_processors.session_timeout",
                "meldcode_survey.accounts.context_processors.navigation",
            ],
        },
    },
]


def _database() -> dict:
    """DATABASE_URL when set (special characters in its password percent-encoded);
    else the separate POSTGRES_* variables, which need no encoding (compose passes
    these); else the embedded SQLite file."""
    if env.str("DATABASE_URL", default=""):
        return env.db_url("DATABASE_URL")
    if env.str("POSTGRES_HOST", default=""):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env.str("POSTGRES_HOST"),
            "PORT": env.int("POSTGRES_PORT", default=5432),
            "NAME": env.str("POSTGRES_DB", default="meldcode"),
            "USER": env.str("POSTGRES_USER", default="meldcode"),
            "PASSWORD": env.str("POSTGRES_PASSWORD", default=""),
        }
    return env.db_url_config(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")


DATABASES = {"default": _database()}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A persistent connection broken by a database restart is replaced, not reused.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://meldcode-survey"),
    # Rendered template fragments that are the same for everyone (the frame of
    # the respondent's pages, per language): in each process's memory, since a
    # round trip to a shared cache would cost more than rendering them.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "meldcode-survey-fragments",
        "TIMEOUT": None,
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
] + [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    }
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# Brute force: ten failures for one username from one address lock that
# combination out for half an hour (django-axes).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "meldcode_survey.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "meldcode_survey.lib.ratelimit.client_address"
AXES_VERBOSE = False
# Axes would keep every login and logout with the IP address and user agent, for
# ever. The audit log already keeps who logged in when, without addresses; axes
# keeps only the failed attempts it needs for a lockout (until they expire).
AXES_DISABLE_ACCESS_LOG = True

# New accounts get an invitation link (accounts/invitations.py) that works once
# and expires after this many hours; Django's password reset, unused here, would
# share the setting.
PASSWORD_RESET_TIMEOUT = env.int("INVITATION_HOURS", default=72) * 3600
# The site's address, for links made outside a request (`manage.py invite`).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# E-mail (invitations), e.g. smtp+tls://user:password@smtp.example.org:587.
# Without EMAIL_URL: printed on the console in development; sent nowhere in
# production, where a printed invitation link would land in the logs (the
# administrator is shown the link to pass on).
vars().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "dummymail://")
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# Two-factor authentication (TOTP) for every account with a role.
OTP_TOTP_ISSUER = "Meldcode survey"
OTP_LOGIN_URL = "accounts:verify"
# Administrators may see and delete (reset) devices, never their secret keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Staff and analysts are logged out after this long without a request; the page
# warns SESSION_IDLE_WARNING seconds before and lets them stay. Respondents are
# anonymous and not affected: their draft is kept server-side.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=15 * 60)
SESSION_IDLE_WARNING = env.int("SESSION_IDLE_WARNING", default=2 * 60)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Export files and other private files: never served under a public URL.
MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery. Without REDIS_URL tasks run in-process, so the embedded default needs no
# broker; with it, a worker (`make worker`) and beat (`make beat`) do the work.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Periodic and clean-up tasks are acknowledged after they ran; the export task
# is not (its database row and heartbeat are the record, see exports.tasks).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The periodic tasks are rows made by data migrations (retention: responses
# 0008), changed by staff in the admin ("Periodic tasks"). Entries in
# CELERY_BEAT_SCHEDULE would overwrite those changes each time beat starts, so
# a new periodic task gets a data migration, not an entry here.
CELERY_BEAT_SCHEDULE: dict = {}
# Tasks outside the apps' tasks.py (which Celery finds itself).
CELERY_IMPORTS = ["meldcode_survey.retention"]

# Database sessions (Django's), loaded with one written-out statement.
SESSION_ENGINE = "meldcode_survey.lib.sessions"

# Security: secure defaults in production, relaxed only for local development.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The language choice: read by the server only, sent to this site only.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "meldcode_survey.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline scripts or styles anywhere: every script and style sheet is a file
# under static/. Bootstrap's form controls draw their icons from data: URIs.
CONTENT_SECURITY_POLICY: dict[str, dict[str, object]] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
    # __Host- cookies are sent over HTTPS only, to this host only, for every path.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The container's health check asks over plain http from inside the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every layout step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Export files are deleted this many days after they were made.
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=30)
# An optional queue of its own for exports, served by a dedicated worker.
EXPORT_QUEUE = env.str("EXPORT_QUEUE", default="")
# A running export writes a heartbeat with every progress step; once it is this
# old, the periodic sweep (exports.requeue_stalled) takes its worker for dead and
# sends the export again. Keep it above the longest gap between two progress
# steps (a PDF fact sheet renders in one step).
EXPORT_STALE_SECONDS = env.int("EXPORT_STALE_SECONDS", default=600)
# An optional queue for the thorough screening (deduce, about 1.1 GB per worker
# process), so that one worker process with --concurrency=1 can serve it.
SCREENING_QUEUE = env.str("SCREENING_QUEUE", default="")
# Every screening task (after submit, after a redaction, beat's sweep) goes there.
CELERY_TASK_ROUTES = (
    {"screening.*": {"queue": SCREENING_QUEUE}} if SCREENING_QUEUE else {}
)

# The client's address, for the login lockout and the rate limits only
# (lib/ratelimit.py): the number of reverse proxies in front of the app, each of
# which appends to X-Forwarded-For. 0: the header is ignored. USE_X_FORWARDED_FOR
# (one proxy) is still understood.
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT",
    default=1 if env.bool("USE_X_FORWARDED_FOR", default=False) else 0,
)
RATELIMIT_IP_META_KEY = "meldcode_survey.lib.ratelimit.client_address"
# django-ratelimit is used as a library, not an installed app: its system check
# asks for memcached or Redis, while the cache here is local memory or the
# database so that respondents never depend on Redis. Neither increments
# atomically across processes, so under heavy concurrency a limit may let a few
# extra requests through: the limits are a brake on scripts, not an exact count.

# Domain settings.
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=30)
# Case narrative texts are blanked this many days after submission (codes and
# figures stay); unset: kept. The periodic task's "days" argument overrides it.
NARRATIVE_RETENTION_DAYS = env.int("NARRATIVE_RETENTION_DAYS", default=None)
SUPPRESSION_THRESHOLD = env.int("SUPPRESSION_THRESHOLD", default=10)
# Cell key perturbation (dashboard/queries/disclosure.py): the ptable is drawn
# from DISCLOSURE_SECRET, or read from DISCLOSURE_PTABLE (a CSV in the ONS
# format pcv,ckey,pvalue). Both are secrets: whoever knows the ptable can take
# the noise off. Changing either changes every published figure.
DISCLOSURE_SECRET = env.str(
    "DISCLOSURE_SECRET",
    default=hashlib.sha256(f"disclosure:{SECRET_KEY}".encode()).hexdigest(),
)
DISCLOSURE_PTABLE = env.str("DISCLOSURE_PTABLE", default="")
