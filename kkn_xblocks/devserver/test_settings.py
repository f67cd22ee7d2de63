"""Settings for the test suite: the preview's settings on a throw-away database.

``KKN_TEST_DB=mariadb`` runs the same suite against a real MariaDB server (started by
``dev.py test``), because SQLite serialises writes and hides races that Open edX's MySQL shows.
"""
import atexit
import os
import shutil
import tempfile

if "KKN_VAR_DIR" not in os.environ:
    os.environ["KKN_VAR_DIR"] = tempfile.mkdtemp(prefix="kkn-test-var-")
    atexit.register(shutil.rmtree, os.environ["KKN_VAR_DIR"], ignore_errors=True)

from .settings import *  # noqa: E402,F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from .settings import DATABASES, VAR_DIR  # noqa: E402

# A file database, not an in-memory one: the concurrency tests open one connection per thread.
DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

if os.environ.get("KKN_TEST_DB") == "mariadb":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("KKN_MARIADB_NAME", "kkn"),
            "USER": os.environ.get("KKN_MARIADB_USER", "root"),
            "PASSWORD": os.environ.get("KKN_MARIADB_PASSWORD", ""),
            "HOST": os.environ.get("KKN_MARIADB_SOCKET", ""),
            "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
            "TEST": {"NAME": "test_kkn", "CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Certificate verification allows 30 look-ups a minute per address; the suite asks far more often
# from one address. tests/exam/test_verification_page.py tests the limit itself.
KKN_VERIFICATION_RATE_LIMIT = (100_000, 60)
