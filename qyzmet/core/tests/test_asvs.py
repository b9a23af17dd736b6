"""OWASP ASVS 4.0.3 requirements shown by reading the source and the settings (docs/security.md).

Each test's docstring names the requirement it shows. Those that need a journey through the API
or the pages live beside them (`qyzmet/api/tests/test_asvs_api.py`,
`qyzmet/portal/tests/test_asvs_pages.py`).
"""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from qyzmet.core.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]  # the `qyzmet` package
BASE = ROOT.parent
STATIC_JS = sorted(
    path
    for path in ROOT.glob("*/static/**/*.js")
    if "vendor" not in path.parts and "tests" not in path.parts
)


def _product_modules() -> list[Path]:
    found = []
    for path in sorted([*ROOT.rglob("*.py"), *(BASE / "config").rglob("*.py")]):
        parts = path.relative_to(BASE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        found.append(path)
    return found


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _calls(path: Path) -> list[tuple[str, ast.Call]]:
    """Each call in the module with the dotted name of what is called (`os.system`, `eval`)."""
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call):
            found.append((ast.unparse(node.func), node))
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(BASE)}:{getattr(node, 'lineno', '?')}"


def test_the_readers_find_what_they_look_for() -> None:
    """The scans below see calls, imports and script files (else they would pass on nothing)."""
    modules = _product_modules()
    assert len(modules) > 100
    assert any("subprocess" in _imports(p) for p in modules)
    assert any(name == "yaml.load" for p in modules for name, _ in _calls(p))
    assert any(p.name == "sw.js" for p in STATIC_JS)


# --- V2 Authentication ---------------------------------------------------------------------------


def test_v2_1_10_no_rotation_or_history_rule() -> None:
    """V2.1.10: no periodic password change and no password history: the validators are length,
    common passwords and all-digits only, and no setting makes a password expire."""
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    assert not [name for name in dir(settings) if "PASSWORD" in name and "EXPIR" in name]


def test_v2_4_3_the_pbkdf2_fallback_has_at_least_310000_iterations() -> None:
    """V2.4.3: PBKDF2 only reads hashes made before Argon2 (upgraded at the next sign-in), and
    with at least 310,000 iterations of HMAC-SHA256."""
    production = [
        "qyzmet.core.passwords.QyzmetArgon2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    assert _production_settings()["PASSWORD_HASHERS"] == production
    hasher = PBKDF2PasswordHasher()
    assert hasher.iterations >= 310_000
    assert hasher.digest().name == "sha256"


def test_v2_4_5_argon2id_is_at_least_the_minimum_configuration() -> None:
    """V2.4.5: passwords are Argon2id with at least 15 MiB of memory, 2 iterations and 1 lane
    (the defaults are 64 MiB, 3, 2) and it is the first hasher, the one new hashes use."""
    production = _production_settings()
    assert production["PASSWORD_HASHERS"][0] == "qyzmet.core.passwords.QyzmetArgon2PasswordHasher"
    assert production["QYZMET_ARGON2_MEMORY_KIB"] >= 15 * 1024
    assert production["QYZMET_ARGON2_TIME_COST"] >= 2
    assert production["QYZMET_ARGON2_PARALLELISM"] >= 1


def test_v2_10_4_secrets_come_only_from_the_environment() -> None:
    """V2.10.4: outside demo mode the portal refuses to start without its secret key, field
    keys and blind-index key from the environment; none is written in the source."""
    refused = _settings_run({"QYZMET_DEMO": "0", "QYZMET_PUBLIC_URL": "https://egov.example"})
    assert refused.returncode != 0
    assert "QYZMET_SECRET_KEY is required" in refused.stderr

    keys_missing = _settings_run(
        {"QYZMET_DEMO": "0", "QYZMET_SECRET_KEY": "k" * 50, "QYZMET_PUBLIC_URL": "https://e.kz"}
    )
    assert keys_missing.returncode != 0
    assert "QYZMET_FIELD_KEYS and QYZMET_BLIND_INDEX_KEY are required" in keys_missing.stderr

    source = (BASE / "config" / "settings.py").read_text(encoding="utf-8")
    assert not re.search(r"SECRET_KEY\s*=\s*['\"]", source)


# --- V3 Session management -----------------------------------------------------------------------


def test_v3_4_1_behind_tls_the_cookies_are_secure_and_hsts_is_sent() -> None:
    """V3.4.1: with QYZMET_HTTPS=1 the session, CSRF and language cookies carry `Secure`, plain
    HTTP is redirected and HSTS is on."""
    values = _production_settings({"QYZMET_HTTPS": "1"})
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["LANGUAGE_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000


# --- V5 Validation, sanitisation and encoding ----------------------------------------------------


def test_v5_2_4_no_dynamic_code_execution() -> None:
    """V5.2.4 (and V5.5.4): no `eval`, `exec` or `compile` in Python, no `eval`, `new Function`
    or string timers in the portal's scripts; JSON is read with JSON.parse / fetch().json()."""
    found = [
        _where(path, node)
        for path in _product_modules()
        for name, node in _calls(path)
        if name in {"eval", "exec", "compile", "builtins.eval", "builtins.exec"}
    ]
    assert found == []
    dynamic = re.compile(r"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['\"`]")
    scripts = [str(p.relative_to(BASE)) for p in STATIC_JS if dynamic.search(p.read_text("utf-8"))]
    assert scripts == []


def test_v5_2_5_user_input_is_never_a_template() -> None:
    """V5.2.5: templates are files; no code builds a template from a string
    (`Template(...)`, `engines[...].from_string`), so no input can become template code."""
    found = [
        _where(path, node)
        for path in _product_modules()
        for name, node in _calls(path)
        if name.endswith("from_string") or name in {"Template", "template.Template"}
    ]
    assert found == []


def test_v5_2_6_the_server_calls_out_only_to_configured_addresses() -> None:
    """V5.2.6: one module makes outbound HTTP requests, the SMS gateway's, to the address in
    QYZMET_SMS_HTTP_URL; no request, form or file names an address the server fetches."""
    network = {"requests", "httpx", "urllib.request", "urllib3", "http.client", "aiohttp"}
    callers = sorted(
        str(path.relative_to(BASE)) for path in _product_modules() if _imports(path) & network
    )
    assert callers == ["qyzmet/notifications/providers/sms.py"]
    source = (ROOT / "notifications" / "providers" / "sms.py").read_text(encoding="utf-8")
    assert "settings.QYZMET_SMS_HTTP_URL" in source


def test_v5_3_4_queries_are_parameterised() -> None:
    """V5.3.4: the ORM everywhere; no `.raw()`, `.extra()` or `RawSQL`; the few cursors
    (bulk import, key rotation, advisory locks, health) pass values as parameters and build
    only table and column names from model metadata."""
    found = [
        _where(path, node)
        for path in _product_modules()
        for name, node in _calls(path)
        if name.endswith((".raw", ".extra")) or name == "RawSQL"
    ]
    assert found == []
    formatted = []
    for path in _product_modules():
        for name, node in _calls(path):
            if name.endswith(".execute") and node.args and isinstance(node.args[0], ast.JoinedStr):
                formatted.append(str(path.relative_to(BASE)))
    assert set(formatted) <= {
        "qyzmet/identity/population_store.py",
        "qyzmet/core/management/commands/rotate_keys.py",
    }


def test_v5_3_8_no_shell_and_no_command_built_from_input() -> None:
    """V5.3.8: the one process start is `manage.py serve` starting gunicorn and the worker with
    fixed argument lists; no shell, `os.system` or `os.popen` anywhere."""
    starts = []
    for path in _product_modules():
        for name, node in _calls(path):
            forbidden = {"os.system", "os.popen", "os.execv", "os.spawnl"}
            assert name not in forbidden, _where(path, node)
            assert not any(
                k.arg == "shell" and ast.unparse(k.value) != "False" for k in node.keywords
            ), _where(path, node)
            if name.startswith("subprocess."):
                starts.append(str(path.relative_to(BASE)))
    assert set(starts) == {"qyzmet/core/management/commands/serve.py"}


def test_v5_5_3_no_unsafe_deserialisation() -> None:
    """V5.5.3: bodies are JSON; no pickle, marshal, shelve or unsafe YAML; the service catalogue
    is read with a SafeLoader subclass."""
    unsafe = {"pickle", "marshal", "shelve", "dill", "jsonpickle"}
    found = [str(p.relative_to(BASE)) for p in _product_modules() if _imports(p) & unsafe]
    assert found == []
    for path in _product_modules():
        for name, node in _calls(path):
            if name in {"yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.full_load"}:
                assert name == "yaml.load", _where(path, node)
                loader = next(k.value for k in node.keywords if k.arg == "Loader")
                assert ast.unparse(loader) == "_StrictLoader", _where(path, node)
    loader = _tree(ROOT / "catalogue" / "loader.py")
    strict = next(
        n for n in loader.body if isinstance(n, ast.ClassDef) and n.name == "_StrictLoader"
    )
    assert [ast.unparse(base) for base in strict.bases] == ["yaml.SafeLoader"]


# --- V7 Error handling and logging ---------------------------------------------------------------


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "qyzmet.test", "levelname": "WARNING", "msg": message})
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_v7_1_4_each_log_line_has_the_time_level_and_source() -> None:
    """V7.1.4: every log line is one JSON object with the moment, level, logger and message, and
    the event's own fields, for a timeline of what happened."""
    line = JsonFormatter().format(_record("payment expired", payment="P-1", attempts=3))
    payload = json.loads(line)
    assert set(payload) >= {"time", "level", "logger", "message", "payment", "attempts"}
    assert payload["level"] == "WARNING" and payload["logger"] == "qyzmet.test"
    assert payload["payment"] == "P-1" and payload["attempts"] == 3
    assert settings.LOGGING["root"]["handlers"] == ["console"]
    assert settings.LOGGING["formatters"]["json"]["()"] == "qyzmet.core.logging.JsonFormatter"


def test_v7_3_1_a_forged_line_in_a_value_stays_inside_its_field() -> None:
    """V7.3.1: what a client sends cannot add a log line: newlines and quotes in a message or a
    field are encoded by JSON, so a line is always exactly one event."""
    forged = 'x"\n{"level": "INFO", "message": "signed in as admin"}\r\n'
    line = JsonFormatter().format(_record(forged, reason=forged))
    assert "\n" not in line and "\r" not in line
    payload = json.loads(line)
    assert payload["message"] == forged and payload["reason"] == forged
    assert payload["level"] == "WARNING"


def test_v7_3_4_log_times_are_utc() -> None:
    """V7.3.4: log times are ISO 8601 in UTC, whatever the portal's time zone (Asia/Almaty)."""
    record = _record("tick")
    record.created = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC, 05:00 in Almaty
    payload = json.loads(JsonFormatter().format(record))
    assert payload["time"] == "2026-01-01T00:00:00+00:00"
    assert settings.TIME_ZONE == "Asia/Almaty"


# --- Helpers: the settings as a real process reads them ----------------------------------------


def _settings_run(
    environment: dict[str, str], expression: str = ""
) -> subprocess.CompletedProcess[str]:
    """Import `config.settings` in a fresh interpreter with this environment (and nothing of the
    test suite's), printing `expression`'s JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QYZMET_", "DJANGO_"))}
    env.update({"QYZMET_VAR_DIR": str(Path(settings.VAR_DIR) / "asvs-settings"), **environment})
    code = "import json, config.settings as s\n" + (
        f"print(json.dumps({expression}))" if expression else ""
    )
    return subprocess.run(  # noqa: S603 - the interpreter that runs the tests, fixed code
        [sys.executable, "-c", code],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_NAMES = (
    "PASSWORD_HASHERS",
    "QYZMET_ARGON2_MEMORY_KIB",
    "QYZMET_ARGON2_TIME_COST",
    "QYZMET_ARGON2_PARALLELISM",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
)


def _production_settings(environment: dict[str, str] | None = None) -> dict[str, object]:
    """The settings of a demo-mode process (the test settings replace the hasher for speed)."""
    return dict(_settings_of(tuple(sorted((environment or {}).items()))))


@cache
def _settings_of(environment: tuple[tuple[str, str], ...]) -> tuple[tuple[str, object], ...]:
    names = ", ".join(f"{n!r}: getattr(s, {n!r}, None)" for n in PRODUCTION_NAMES)
    done = _settings_run({"QYZMET_DEMO": "1", **dict(environment)}, "{" + names + "}")
    assert done.returncode == 0, done.stderr
    values: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return tuple(values.items())
