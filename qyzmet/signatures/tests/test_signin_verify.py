"""Certificate sign-in: who signed the challenge, and every way a signature is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading

import pytest
import time_machine
from asgiref.sync import sync_to_async
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.db import connections
from django.test import override_settings

from qyzmet.signatures.actions import (
    certificate_revoke,
    citizen_certificate_issue,
    demo_p12_password,
)
from qyzmet.signatures.client import cms_sign
from qyzmet.signatures.models import CertificateAuthority, IssuedCertificate
from qyzmet.signatures.selectors import SignatureRejected, signin_signature_verify
from qyzmet.signatures.tests.pki import (
    IIN,
    PASSWORD,
    authority_build,
    authority_of,
    name_with_serial,
    name_without_iin,
    self_signed_citizen,
    signer_issue,
)
from qyzmet.signatures.verification import run_sync

pytestmark = pytest.mark.django_db

CHALLENGE = b"qyzmet-signin:" + bytes(range(32))
DemoCA = tuple[CertificateAuthority, CertificateAuthority]


def sign(p12: bytes, *, password: str = PASSWORD, content: bytes = CHALLENGE, **kw: bool) -> bytes:
    return cms_sign(content=content, p12=p12, password=password, **kw)


def rejection(signature: bytes, challenge: bytes = CHALLENGE) -> str:
    with pytest.raises(SignatureRejected) as caught:
        signin_signature_verify(signature=signature, challenge=challenge)
    assert str(caught.value.message)  # a message for the citizen, not only a code
    return caught.value.code


def test_demo_citizen_signs_in_with_a_detached_signature(
    citizen: tuple[IssuedCertificate, bytes],
) -> None:
    issued, p12 = citizen
    signature = sign(p12, password=demo_p12_password(IIN))

    signer = signin_signature_verify(signature=signature, challenge=CHALLENGE)

    assert signer.iin == IIN
    assert signer.serial == issued.serial
    assert signer.not_after == issued.not_after
    assert signer.subject == (
        "C=KZ,2.5.4.5=IIN791028302728,2.5.4.42=IVAN,2.5.4.4=IVANOV,CN=IVANOV IVAN"
    )


def test_attached_signature_carrying_the_challenge_signs_in(
    citizen: tuple[IssuedCertificate, bytes],
) -> None:
    _issued, p12 = citizen
    signature = sign(p12, password=demo_p12_password(IIN), detached=False)

    assert signin_signature_verify(signature=signature, challenge=CHALLENGE).iin == IIN


def test_attached_signature_over_other_content_is_invalid(
    citizen: tuple[IssuedCertificate, bytes],
) -> None:
    _issued, p12 = citizen
    signature = sign(p12, password=demo_p12_password(IIN), detached=False, content=b"other")

    assert rejection(signature) == "signature_invalid"


def test_signature_over_another_challenge_is_invalid(
    citizen: tuple[IssuedCertificate, bytes],
) -> None:
    _issued, p12 = citizen
    signature = sign(p12, password=demo_p12_password(IIN), content=b"yesterday's challenge")

    assert rejection(signature) == "signature_invalid"


@pytest.mark.parametrize(
    "garbage", [b"", b"\x00" * 10, os.urandom(300), b"0\x82\xff\xff", b"-----BEGIN PKCS7-----"]
)
def test_garbage_is_an_invalid_signature(garbage: bytes) -> None:
    assert rejection(garbage) == "signature_invalid"


def test_tampered_signature_value_is_invalid(citizen: tuple[IssuedCertificate, bytes]) -> None:
    _issued, p12 = citizen
    signature = bytearray(sign(p12, password=demo_p12_password(IIN)))
    signature[-10] ^= 0x01  # inside the RSA signature value, the last field

    assert rejection(bytes(signature)) == "signature_invalid"


def test_self_signed_certificate_with_a_valid_iin_is_untrusted(demo_ca: DemoCA) -> None:
    forged = self_signed_citizen()

    assert rejection(forged.sign(CHALLENGE)) == "certificate_untrusted"


def test_certificate_from_another_ca_is_untrusted(demo_ca: DemoCA) -> None:
    root = authority_build("Some Other Root CA")
    intermediate = authority_build("Some Other CA", parent=root)
    signer = signer_issue(intermediate, chain=[intermediate.certificate, root.certificate])

    assert rejection(signer.sign(CHALLENGE)) == "certificate_untrusted"


def test_ca_that_copies_our_ca_names_is_untrusted(demo_ca: DemoCA) -> None:
    root_ca, intermediate_ca = demo_ca
    root = authority_build(root_ca.name)
    intermediate = authority_build(intermediate_ca.name, parent=root)
    signer = signer_issue(intermediate, chain=[intermediate.certificate, root.certificate])

    assert rejection(signer.sign(CHALLENGE)) == "certificate_untrusted"


def test_our_intermediate_is_found_when_the_signature_carries_no_chain(demo_ca: DemoCA) -> None:
    signer = signer_issue(authority_of(demo_ca[1]), chain=[])

    result = signin_signature_verify(signature=sign(signer.p12()), challenge=CHALLENGE)

    assert result.iin == IIN


def test_revoked_certificate_is_refused(demo_ca: DemoCA) -> None:
    issued, p12 = citizen_certificate_issue(iin=IIN, surname="Ivanov", given_name="Ivan")
    signature = sign(p12, password=demo_p12_password(IIN))
    assert signin_signature_verify(signature=signature, challenge=CHALLENGE).iin == IIN

    certificate_revoke(serial=issued.serial, reason="key_compromise")

    assert rejection(signature) == "certificate_revoked"


def test_expired_certificate_is_refused(demo_ca: DemoCA) -> None:
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=400), tick=False):
        _issued, p12 = citizen_certificate_issue(
            iin=IIN, surname="Ivanov", given_name="Ivan", valid_days=30
        )

    assert rejection(sign(p12, password=demo_p12_password(IIN))) == "certificate_expired"


def test_not_yet_valid_certificate_is_refused(demo_ca: DemoCA) -> None:
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=10), tick=False):
        _issued, p12 = citizen_certificate_issue(iin=IIN, surname="Ivanov", given_name="Ivan")

    assert rejection(sign(p12, password=demo_p12_password(IIN))) == "certificate_expired"


def test_certificate_without_serialnumber_has_no_iin(demo_ca: DemoCA) -> None:
    signer = signer_issue(authority_of(demo_ca[1]), subject=name_without_iin())

    assert rejection(signer.sign(CHALLENGE)) == "certificate_no_iin"


@pytest.mark.parametrize(
    "serialnumber",
    [
        "IIN791028302729",  # wrong check digit
        "IIN79102830272",  # eleven digits
        "BIN791028302728",
        "791028302728",
        "IIN 791028302728",
        "IIN7910283027280",
    ],
)
def test_certificate_with_a_bad_serialnumber_has_no_iin(demo_ca: DemoCA, serialnumber: str) -> None:
    signer = signer_issue(authority_of(demo_ca[1]), subject=name_with_serial(serialnumber))

    assert rejection(signer.sign(CHALLENGE)) == "certificate_no_iin"


def test_certificate_without_client_auth_purpose_is_untrusted(demo_ca: DemoCA) -> None:
    signer = signer_issue(
        authority_of(demo_ca[1]), extended_key_usage=[ExtendedKeyUsageOID.EMAIL_PROTECTION]
    )

    assert rejection(signer.sign(CHALLENGE)) == "certificate_untrusted"


def test_outside_demo_mode_the_demo_root_is_not_trusted(
    citizen: tuple[IssuedCertificate, bytes],
) -> None:
    _issued, p12 = citizen
    signature = sign(p12, password=demo_p12_password(IIN))

    with override_settings(QYZMET_DEMO=False, QYZMET_TRUST_ROOT_FILES=[]):
        assert rejection(signature) == "certificate_untrusted"


def test_verifies_from_async_code_through_sync_to_async(
    citizen: tuple[IssuedCertificate, bytes],
) -> None:
    _issued, p12 = citizen
    signature = sign(p12, password=demo_p12_password(IIN))

    def verify_in_worker_thread() -> str:
        try:
            return signin_signature_verify(signature=signature, challenge=CHALLENGE).iin
        finally:
            connections.close_all()  # the worker thread opened its own connection

    async def handler() -> str:
        return await sync_to_async(verify_in_worker_thread)()

    assert asyncio.run(handler()) == IIN


def test_run_sync_works_inside_a_running_loop_and_in_a_worker_thread() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def inside_loop() -> int:
        return run_sync(answer())

    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(run_sync(answer())))
    thread.start()
    thread.join()

    assert asyncio.run(inside_loop()) == 42
    assert results == [42]
