"""Command-line PKI: issue a demo certificate, sign a challenge with it, revoke it."""

from __future__ import annotations

import base64
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate
from qyzmet.signatures.selectors import SignatureRejected, signin_signature_verify
from qyzmet.signatures.tests.pki import IIN

pytestmark = pytest.mark.django_db

DemoCA = tuple[CertificateAuthority, CertificateAuthority]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_issue_sign_verify_revoke_from_the_command_line(demo_ca: DemoCA, tmp_path: Path) -> None:
    p12_path = tmp_path / "ivanov.p12"
    challenge = b"\x00\x01challenge\xff"

    issued_text = run(
        "pki_demo_issue", "--iin", IIN, "--surname", "Ivanov", "--given-name", "Ivan",
        "--out", str(p12_path),
    )  # fmt: skip
    serial = IssuedCertificate.objects.latest("pk").serial
    signature_b64 = run(
        "pki_sign_challenge", "--p12", str(p12_path), "--password", "demo-2728",
        "--challenge", base64.b64encode(challenge).decode(),
    )  # fmt: skip
    signature = base64.b64decode(signature_b64)

    assert f"serial:   {serial}\n" in issued_text
    assert "password: demo-2728\n" in issued_text
    assert p12_path.stat().st_mode & 0o777 == 0o600
    assert signin_signature_verify(signature=signature, challenge=challenge).serial == serial

    revoked_text = run("pki_revoke", serial.upper(), "--reason", "key_compromise")

    assert revoked_text.startswith(f"revoked {serial} at ")
    with pytest.raises(SignatureRejected) as caught:
        signin_signature_verify(signature=signature, challenge=challenge)
    assert caught.value.code == "certificate_revoked"


def test_attached_signature_from_the_command_line(
    citizen: tuple[IssuedCertificate, bytes], tmp_path: Path
) -> None:
    _issued, p12 = citizen
    (tmp_path / "c.p12").write_bytes(p12)

    signature_b64 = run(
        "pki_sign_challenge", "--p12", str(tmp_path / "c.p12"), "--password", "demo-2728",
        "--challenge", base64.b64encode(b"abc").decode(), "--attached",
    )  # fmt: skip

    signer = signin_signature_verify(signature=base64.b64decode(signature_b64), challenge=b"abc")
    assert signer.iin == IIN


def test_sign_challenge_reports_a_wrong_password(
    citizen: tuple[IssuedCertificate, bytes], tmp_path: Path
) -> None:
    (tmp_path / "c.p12").write_bytes(citizen[1])

    with pytest.raises(CommandError, match="does not open with this password"):
        run(
            "pki_sign_challenge", "--p12", str(tmp_path / "c.p12"), "--password", "nope",
            "--challenge", "YWJj",
        )  # fmt: skip


def test_demo_issue_is_refused_outside_demo_mode(tmp_path: Path) -> None:
    with override_settings(QYZMET_DEMO=False), pytest.raises(CommandError, match="demo mode"):
        run(
            "pki_demo_issue", "--iin", IIN, "--surname", "I", "--given-name", "I",
            "--out", str(tmp_path / "x.p12"),
        )  # fmt: skip


def test_revoke_reports_an_unknown_serial(demo_ca: DemoCA) -> None:
    with pytest.raises(CommandError, match="not_found"):
        run("pki_revoke", "abc123")
