"""Settings for the test suite: the same settings, with test defaults for the environment."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QYZMET_DEMO", "1")
os.environ.setdefault("QYZMET_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("QYZMET_VAR_DIR", tempfile.mkdtemp(prefix="qyzmet-test-"))
os.environ.setdefault("QYZMET_LOG_LEVEL", "WARNING")
# Tests roll back the overrides they write: check the calendar's version on every call.
os.environ.setdefault("QYZMET_CALENDAR_RECHECK_SECONDS", "0")
# Fixed test keys (32 bytes each, URL-safe base64); never used outside the test suite.
os.environ.setdefault("QYZMET_FIELD_KEYS", "1:" + "A" * 42 + "Q")
os.environ.setdefault("QYZMET_BLIND_INDEX_KEY", "B" * 42 + "Q")

from config.settings import *  # noqa: F403
from config.test_tables import mci_test_table

# The suite computes fees on today's date: it reads the real MCI table carried on with its last
# value for the years after it, so that it does not start failing on the 1st of January before
# the new budget law's value is added (the portal itself refuses fees then, as it must; the tests
# of that refusal use tables of their own).
QYZMET_MCI_FILE = mci_test_table(QYZMET_MCI_FILE, Path(os.environ["QYZMET_VAR_DIR"]))  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns on a missing dir
# Serve static files straight from the apps in the live-server browser tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Request threads of the live server must not keep connections past their request, or the test
# database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
