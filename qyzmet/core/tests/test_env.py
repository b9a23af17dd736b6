import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import EnvError, demo_secret, env_bool, env_int, env_list, env_networks, env_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False), ("", False)],
)
def test_env_bool_reads_the_usual_words(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_bool_refuses_a_typo_instead_of_guessing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(EnvError, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env_int("X_INT", 1) == 42
    assert env_int("X_MISSING", 7) == 7
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_INT", "4x")
    with pytest.raises(EnvError):
        env_int("X_INT", 1)


def test_demo_secret_is_generated_once_and_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = demo_secret(tmp_path, "KEY")
    second = demo_secret(tmp_path, "KEY")
    other = demo_secret(tmp_path, "OTHER")

    assert first == second
    assert first != other
    assert len(first) >= 40
    assert (tmp_path / "demo-secrets.json").stat().st_mode & 0o777 == 0o600


def test_env_networks_reads_addresses_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NETS", " 10.0.0.1, 172.16.0.0/12 ,2001:db8::/32,192.168.1.7/24")
    assert env_networks("X_NETS") == [
        "10.0.0.1/32",
        "172.16.0.0/12",
        "2001:db8::/32",
        "192.168.1.0/24",
    ]
    monkeypatch.delenv("X_NETS")
    assert env_networks("X_NETS") == []
    monkeypatch.setenv("X_NETS", "10.0.0.300")
    with pytest.raises(EnvError, match="X_NETS"):
        env_networks("X_NETS")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://egov.example.kz/", "https://egov.example.kz"),
        ("  http://10.0.0.5:8000 ", "http://10.0.0.5:8000"),
        ("https://example.kz/egov/", "https://example.kz/egov"),
        ("", ""),
    ],
)
def test_env_url_reads_an_absolute_address_without_its_trailing_slash(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: str
) -> None:
    monkeypatch.setenv("X_URL", raw)
    assert env_url("X_URL") == expected


@pytest.mark.parametrize(
    "raw", ["egov.example.kz", "ftp://egov.example.kz", "https://", "https://e.kz/?a=1", "/verify"]
)
def test_env_url_refuses_what_is_not_an_absolute_http_address(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("X_URL", raw)
    with pytest.raises(EnvError, match="X_URL must be an absolute http"):
        env_url("X_URL")


def test_outside_demo_mode_the_public_address_is_required(tmp_path: Path) -> None:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "QYZMET_DEMO": "0",
        "QYZMET_SECRET_KEY": "x" * 50,
        "QYZMET_FIELD_KEYS": "1:" + "A" * 42 + "Q",
        "QYZMET_BLIND_INDEX_KEY": "B" * 42 + "Q",
        "QYZMET_VAR_DIR": str(tmp_path),
    }
    root = Path(__file__).resolve().parents[3]

    def load(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "import config.settings"],
            cwd=root, env=base | extra, capture_output=True, text=True, check=False,
        )  # fmt: skip

    missing = load()
    assert missing.returncode != 0
    assert "QYZMET_PUBLIC_URL (e.g. https://egov.kz) is required" in missing.stderr
    assert load(QYZMET_PUBLIC_URL="https://egov.example.kz").returncode == 0
