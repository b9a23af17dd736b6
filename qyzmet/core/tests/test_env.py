import pytest

from config.env import EnvError, demo_secret, env_bool, env_int, env_list, env_networks


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
