"""Django settings for the local preview, layered on the xblock-sdk workbench's own settings."""
import os
from importlib.metadata import entry_points
from pathlib import Path

from workbench.settings import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from workbench.settings import INSTALLED_APPS, TEMPLATES, WORKBENCH

# Everything the preview writes (database, logs, file storage) goes under one folder.
VAR_DIR = Path(os.environ.get("KKN_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("KKN_SECRET_KEY", "local-preview-only-not-a-secret")
# Never Django's debug pages (they list the settings): errors get the preview's own pages.
DEBUG = False
CSRF_FAILURE_VIEW = "course_export.preview.errors.csrf_failure"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "preview.sqlite3"),
        # Waiting writers queue instead of failing; IMMEDIATE takes the write lock up front so two
        # transactions cannot both read and then deadlock upgrading to write.
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    }
}

INSTALLED_APPS = [*INSTALLED_APPS, "kkn_xblocks.records"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The course preview's pages (course_export.preview) live with the builder they belong to.
PREVIEW_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "course_export" / "preview" / "templates"
TEMPLATES[0]["DIRS"] = [str(Path(__file__).parent / "templates"), str(PREVIEW_TEMPLATES), *TEMPLATES[0]["DIRS"]]
TEMPLATES[0]["OPTIONS"]["context_processors"] = [
    *TEMPLATES[0]["OPTIONS"]["context_processors"],
    "kkn_xblocks.devserver.context.local_users",
]
ROOT_URLCONF = "kkn_xblocks.devserver.urls"

LANGUAGE_CODE = os.environ.get("KKN_LANGUAGE", "sv")
LOCALE_PATHS = [str(PREVIEW_TEMPLATES.parent / "locale")]
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# Show only this package's scenarios: every other installed xblock.v1 entry point is a sample.
EXCLUDED_XBLOCKS = {
    ep.name for ep in entry_points(group="xblock.v1") if not ep.value.startswith("kkn_xblocks.")
}

DJFS = {"type": "osfs", "directory_root": str(VAR_DIR / "djpyfs"), "url_root": "/static/djpyfs"}

WORKBENCH = {
    **WORKBENCH,
    "services": {
        **WORKBENCH["services"],
        "user": "kkn_xblocks.devserver.services.LocalUserService",
        "i18n": "kkn_xblocks.devserver.services.LocalI18nService",
    },
}

# Who is who in the preview. Staff rights come from here, as the LMS derives them from course roles.
KKN_LOCAL_USERS = {
    "student_1": {"name": "Anna Lindqvist", "staff": False},
    "student_2": {"name": "Erik Johansson", "staff": False},
    "student_3": {"name": "Maria Nilsson", "staff": False},
    "staff": {"name": "Karin Berg (kursledare)", "staff": True},
}

# Open Badges credentials in the local runtime: a did:key issuer whose key is made on first use
# under var/ (in the LMS the operator configures a did:web issuer, see docs/operator-guide.md).
KKN_OPEN_BADGES = {
    "ISSUER_NAME": "KKN lokal förhandsvisning",
    "ISSUER_URL": "https://example.org/kkn",
    "KEY_DIR": str(VAR_DIR / "issuer-keys"),
    "BASE_URL": os.environ.get("KKN_BASE_URL", "http://127.0.0.1:8000"),
    "DID_METHOD": "key",
    "CREATE_KEY": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "logfile": {
            "level": "INFO",
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(VAR_DIR / "preview.log"),
            "maxBytes": 1_000_000,
            "backupCount": 2,
        },
    },
    "loggers": {
        "django": {"handlers": ["logfile"], "level": "INFO"},
        "kkn_xblocks": {"handlers": ["logfile"], "level": "INFO"},
        "course_export": {"handlers": ["logfile"], "level": "INFO"},
    },
}
