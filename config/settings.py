"""Settings of the platform, driven by environment variables only (see README, "Configuration").

Production differs from development by its environment alone. Without ``DEBUG`` the process refuses
to start unless ``SECRET_KEY`` is set.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Read as it is: django-environ would take a value starting with "$" for a reference to another variable,
# and Django's random keys can start with one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire quand DEBUG est désactivé : définissez la variable d'environnement."
        )
    # Development only (DEBUG on): production refuses to start without its own key, above.
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin, whose login view sends to allauth's (one login, its limits and its 2FA stage).
    "core.adminconfig.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    # Bottom to top, as they may import one another (README, "Architecture").
    "core",
    "employers",
    "tutors",
    "apprentices",
    "livret",
    "interop",
    "surveys",
    "jobs",
    "quality",
    "reports",
    "privacy",
    "portal",
    "demo",
    "benchmark",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityPoliciesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.AuditActorMiddleware",
    "core.middleware.RequireStaffMFAMiddleware",
    "core.middleware.PdfUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.platform",
            ],
            # Every template writes its dates with core's |human_date ("1er janv. 2026") without loading it.
            "builtins": ["core.templatetags.platform"],
        },
    },
]

# Database: a SQLite file by default (zero setup), PostgreSQL in production and CI.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if not DEBUG else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # The liaison sheets' covering indexes (livret 0011) carry extra columns on PostgreSQL only, so that
    # the dashboard's counts read them from the index alone; SQLite keeps their keys, as intended.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the pages' queries are short, and PostgreSQL compiles any plan whose estimated cost
    # passes jit_above_cost; a count over an organisation's apprentices spent 13.4 s of its 17.4 s
    # compiling (EXPLAIN ANALYZE at 20,000 apprentices). A libpq option, so every connection has it.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # Prepared statements: a query that a connection runs a fifth time is prepared, and PostgreSQL then
    # plans it once for the connection instead of at every request. The pages' queries are the same
    # text at each request (their values are bound apart); the "À faire" inbox's queries spent about
    # 1 ms each in the planner for 0.05 ms of execution. PostgreSQL's CPU for an apprentice's home went
    # from 9 to 2 ms (20,000 apprentices). Server-side binding is what lets psycopg prepare; set
    # DATABASE_PREPARED_STATEMENTS=0 behind a pooler that cannot keep them (PgBouncer in transaction
    # mode before 1.21). The organisation-wide figures are planned for their dates instead
    # (core.db.planned_for_their_values).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        options["server_side_binding"] = True
        options["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker for Celery and shared cache (so that allauth's rate limits hold across processes).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="livret"),
            # The web keeps working when Redis is down: the backend answers a failed call as a miss.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email login, mandatory verification, login by code, rate limits, no open sign-up.
ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Livret] "
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# The rate limits above key on the client's address. Behind N reverse proxies of ours, that address is
# the N-th entry from the right of X-Forwarded-For; with 0 (no proxy) the header is ignored, as anyone
# can write it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Livret d'apprentissage")
# When on, staff and admins must enrol a second factor before using the platform.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=not DEBUG)
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

# Email.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Livret d'apprentissage <no-reply@livret.local>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Internationalisation: French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
# locale/ is the project's catalogue (makemessages writes there, the first entry); locale_allauth/
# rewords django-allauth's French strings that say "e-mail" (one word for it on the whole platform).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files are served by the platform itself (whitenoise), never by a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the web root and are served by permission-checked views only.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5_242_880)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Celery: Redis when REDIS_URL is set, otherwise tasks run inline in the web process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# A message taken by a worker that dies is given to another one after this long: longer than any task
# may run, so that a task still running is never delivered twice (a job's lease covers the rest).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_RESULT_EXPIRES = 86400
# The outbox (core.queue): a request gives the broker OUTBOX_BROKER_TIMEOUT seconds to accept its work,
# then leaves it waiting; what waits is handed over every 30 s, a failed message retried after at most
# OUTBOX_RETRY_MAX_SECONDS.
OUTBOX_BROKER_TIMEOUT = env.float("OUTBOX_BROKER_TIMEOUT", default=1.0)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=30)
# Background jobs (exports, computations of the indicators, imports) are claimed with a lease of
# JOB_LEASE_SECONDS, renewed while they run: a job whose worker died is taken over once its lease has
# expired, and failed after JOB_MAX_ATTEMPTS claims.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=60)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE = {
    "open-due-liaison-sheets": {
        "task": "livret.tasks.open_due_sheets",
        "schedule": 3600,
    },
    "close-finished-contracts": {
        "task": "apprentices.tasks.close_finished_contracts",
        "schedule": 6 * 3600,
    },
    # The statuses of the day the dashboards count (apprentices.StatusSnapshot): everyone's after
    # midnight, then those a change of contract deleted; a status not stored yet is computed live.
    "snapshot-statuses": {"task": "apprentices.tasks.snapshot_statuses", "schedule": 300},
    # The latest activity of each booklet the dashboards read (livret.BookletActivity): every contract's
    # the first time, then those whose documents were written since; one not stored is read live.
    "store-booklet-activity": {"task": "livret.tasks.store_booklet_activity", "schedule": 300},
    "hand-over-outbox": {"task": "core.tasks.hand_over_outbox", "schedule": 30},
    "resume-jobs": {"task": "core.tasks.resume_jobs", "schedule": 60},
}

# Livret: liaison sheets and emailed action links.
LIVRET_LINK_VALID_DAYS = env.int("LIVRET_LINK_VALID_DAYS", default=14)
LIVRET_SHEET_OPEN_DAYS_BEFORE = env.int("LIVRET_SHEET_OPEN_DAYS_BEFORE", default=7)
LIVRET_SHEET_DUE_DAYS = env.int("LIVRET_SHEET_DUE_DAYS", default=14)
# Reminders: days after which a waiting document is recalled to the person who must act, then the
# day the school tutor is told; a mission waits on its head of diploma (reminders at day 3 and 6, staff
# told past the charter's week). Everything reaches people in one daily digest, at LIVRET_DIGEST_HOUR.
LIVRET_REMINDER_DAYS = env.list("LIVRET_REMINDER_DAYS", cast=int, default=[3, 10])
LIVRET_ESCALATION_DAYS = env.int("LIVRET_ESCALATION_DAYS", default=14)
LIVRET_MISSION_REMINDER_DAYS = env.list("LIVRET_MISSION_REMINDER_DAYS", cast=int, default=[3, 6])
LIVRET_DIGEST_HOUR = env.int("LIVRET_DIGEST_HOUR", default=7)
CELERY_BEAT_SCHEDULE["daily-digest"] = {
    "task": "livret.tasks.send_daily_digests",
    "schedule": crontab(hour=LIVRET_DIGEST_HOUR, minute=0),
}
LIVRET_SHEET_CATCH_UP_DAYS = env.int("LIVRET_SHEET_CATCH_UP_DAYS", default=60)

# Quality: evidence files (checked by their content, stored under MEDIA_ROOT) and the nightly
# recomputation of the indicators.
QUALITY_EVIDENCE_MAX_BYTES = env.int("QUALITY_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
QUALITY_COMPUTE_HOUR = env.int("QUALITY_COMPUTE_HOUR", default=2)
CELERY_BEAT_SCHEDULE["nightly-quality-indicators"] = {
    "task": "quality.tasks.compute_all_indicators",
    "schedule": crontab(hour=QUALITY_COMPUTE_HOUR, minute=30),
}

# Surveys (app surveys): reminders on these days after the invitation until the person answers or the
# campaign closes; the insertion surveys invite each leaver 6 and 12 months after the end of their
# contract, catching up on this many days, and stay open SURVEY_ANSWER_DAYS after the last leaver's
# date; the daily job runs at SURVEY_HOUR.
SURVEY_REMINDER_DAYS = env.list("SURVEY_REMINDER_DAYS", cast=int, default=[7, 14])
SURVEY_INSERTION_CATCH_UP_DAYS = env.int("SURVEY_INSERTION_CATCH_UP_DAYS", default=60)
SURVEY_ANSWER_DAYS = env.int("SURVEY_ANSWER_DAYS", default=60)
SURVEY_HOUR = env.int("SURVEY_HOUR", default=8)
CELERY_BEAT_SCHEDULE["daily-surveys"] = {
    "task": "surveys.tasks.daily_surveys",
    "schedule": crontab(hour=SURVEY_HOUR, minute=15),
}
# The job offers' weekly digest to the former apprentices: on Mondays, after the surveys' mails.
CELERY_BEAT_SCHEDULE["weekly-job-digests"] = {
    "task": "jobs.tasks.weekly_job_digests",
    "schedule": crontab(day_of_week=1, hour=SURVEY_HOUR, minute=45),
}

# Dashboards and background exports: an apprentice whose booklet shows nothing new for this many days
# is on the alert list; finished exports are kept this many hours for their requester, then deleted; an
# export queued or running for longer than EXPORT_STALE_MINUTES is marked failed; a list longer than
# EXPORT_BACKGROUND_ROWS is exported in the background rather than streamed.
DASHBOARD_INACTIVITY_DAYS = env.int("DASHBOARD_INACTIVITY_DAYS", default=45)
# The dashboard's figures and alerts are fresh this long for the person who computed them, and stale as
# soon as a record they count is written: then, or once older, a worker computes them again while the
# page shows them, or the request does without one (reports.dashboard.kept); 0 computes them at each
# request.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=72)
EXPORT_STALE_MINUTES = env.int("EXPORT_STALE_MINUTES", default=60)
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=5000)
CELERY_BEAT_SCHEDULE["purge-exports"] = {"task": "reports.tasks.purge_exports", "schedule": 3600}
# Personal data (RGPD): an apprentice's identity is anonymised once every contract of theirs ended more
# than RETENTION_YEARS ago (README, "Données personnelles"), by a nightly job.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)
CELERY_BEAT_SCHEDULE["erase-expired-personal-data"] = {
    "task": "privacy.tasks.erase_expired_personal_data",
    "schedule": crontab(hour=3, minute=15),
}
# Import of the fichier d'effectifs: the largest file accepted, in bytes; up to IMPORT_INLINE_BYTES a
# file is read in the request, above it the request only stores it (under MEDIA_ROOT) and Celery reads
# it while the page shows the progress; an upload not read within IMPORT_STALE_HOURS is purged.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_INLINE_BYTES = env.int("IMPORT_INLINE_BYTES", default=256 * 1024)
IMPORT_STALE_HOURS = env.int("IMPORT_STALE_HOURS", default=6)
CELERY_BEAT_SCHEDULE["purge-imports"] = {"task": "interop.tasks.purge_imports", "schedule": 3600}
# Create forms: the one-time token that keeps a double click from creating twice is kept this long.
FORM_SUBMISSION_RETENTION_HOURS = env.int("FORM_SUBMISSION_RETENTION_HOURS", default=48)
CELERY_BEAT_SCHEDULE["purge-form-submissions"] = {
    "task": "core.tasks.purge_form_submissions",
    "schedule": 3600,
}

# Security: everything below is checked by `manage.py check --deploy`.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No page has an inline script or style (tests/test_htmx.py checks it; htmx is configured not to add
# any): everything comes from our own origin. Images may also be data: URIs (the TOTP QR code).
# Django's admin works under it too (its one <style> block, on a change list without actions, is lost).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Browser features the platform never uses, denied to every page and frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
SESSION_COOKIE_AGE = 60 * 60 * 12

ADMINS = [("Admin", a) for a in env.list("ADMIN_EMAILS", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint tells every step of every PDF at INFO: only its warnings (a refused resource) are news.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

# Platform.
PLATFORM_NAME = env("PLATFORM_NAME", default="Livret d'apprentissage")
DEMO_MODE = env.bool("DEMO_MODE", default=False)
