"""Settings for the test suite: the same settings, with test defaults for the environment."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QYZMET_DEMO", "1")
os.environ.setdefault("QYZMET_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("QYZMET_VAR_DIR", tempfile.mkdtemp(prefix="qyzmet-test-"))
os.environ.setdefault("QYZMET_LOG_LEVEL", "WARNING")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns on a missing dir
