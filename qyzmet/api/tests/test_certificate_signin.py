"""Certificate sign-in through the API: a demo certificate signs in; a self-signed one that
carries a valid IIN does not; a revoked one does not."""

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.test import override_settings

from conftest import PHONE, CommittingClient, bearer, last_code, sign_in
from qyzmet.identity.models import AuthSession
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.signatures.actions import (
    certificate_revoke,
    citizen_certificate_issue,
    demo_p12_password,
)
from qyzmet.signatures.client import cms_sign

pytestmark = pytest.mark.django_db


def _signature(api: CommittingClient, p12: bytes, password: str) -> tuple[str, str]:
    challenge = api.get("/api/v1/auth/signin/certificate/challenge").json()
    signed = cms_sign(content=base64.b64decode(challenge["challenge"]), p12=p12, password=password)
    return challenge["challenge_id"], base64.b64encode(signed).decode()


def _self_signed_p12(iin: str) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "FORGED PERSON"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"forged", key, cert, None, serialization.BestAvailableEncryption(b"pw")
    )


def test_a_demo_certificate_signs_in_with_an_sms_code(api_client: CommittingClient) -> None:
    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    challenge_id, signature = _signature(api_client, p12, demo_p12_password(iin))

    step = api_client.post_json(
        "/api/v1/auth/signin/certificate", {"challenge_id": challenge_id, "signature": signature}
    )
    assert step.status_code == 200, step.json()
    assert step.json()["next"] == "code"
    done = api_client.post_json(
        "/api/v1/auth/signin/verify",
        {"code_id": step.json()["code"]["code_id"], "code": last_code(api_client, PHONE)},
    )

    assert done.status_code == 200
    assert api_client.get("/api/v1/me", **bearer(done.json()["access_token"])).status_code == 200
    assert AuthSession.objects.get().method == "certificate"


@override_settings(QYZMET_CERT_SIGNIN_SMS=False)
def test_without_the_sms_rule_a_certificate_alone_signs_in(api_client: CommittingClient) -> None:
    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    challenge_id, signature = _signature(api_client, p12, demo_p12_password(iin))

    step = api_client.post_json(
        "/api/v1/auth/signin/certificate", {"challenge_id": challenge_id, "signature": signature}
    )

    assert step.json()["next"] == "done"
    assert step.json()["tokens"]["access_token"].startswith("qa.")


def test_a_self_signed_certificate_with_a_valid_iin_does_not_sign_in(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    challenge_id, signature = _signature(api_client, _self_signed_p12(account.person.iin), "pw")

    response = api_client.post_json(
        "/api/v1/auth/signin/certificate", {"challenge_id": challenge_id, "signature": signature}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "certificate_untrusted"
    assert AuthSession.objects.count() == 0


def test_a_revoked_certificate_does_not_sign_in(api_client: CommittingClient) -> None:
    account = citizen_create()
    iin = account.person.iin
    issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    certificate_revoke(serial=issued.serial, reason="key_compromise")
    challenge_id, signature = _signature(api_client, p12, demo_p12_password(iin))

    response = api_client.post_json(
        "/api/v1/auth/signin/certificate", {"challenge_id": challenge_id, "signature": signature}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "certificate_revoked"


def test_a_challenge_is_single_use(api_client: CommittingClient) -> None:
    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    challenge_id, signature = _signature(api_client, p12, demo_p12_password(iin))
    body = {"challenge_id": challenge_id, "signature": signature}

    assert api_client.post_json("/api/v1/auth/signin/certificate", body).status_code == 200
    replay = api_client.post_json("/api/v1/auth/signin/certificate", body)

    assert replay.status_code == 404
    assert replay.json()["code"] == "challenge_expired"


def test_a_certificate_for_an_iin_without_account_is_refused(api_client: CommittingClient) -> None:
    _issued, p12 = citizen_certificate_issue(
        iin="791028302728", surname="NOBODY", given_name="HERE"
    )
    challenge_id, signature = _signature(api_client, p12, demo_p12_password("791028302728"))

    response = api_client.post_json(
        "/api/v1/auth/signin/certificate", {"challenge_id": challenge_id, "signature": signature}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "no_account"


def test_garbage_signature_is_refused(api_client: CommittingClient) -> None:
    challenge = api_client.get("/api/v1/auth/signin/certificate/challenge").json()

    response = api_client.post_json(
        "/api/v1/auth/signin/certificate",
        {"challenge_id": challenge["challenge_id"], "signature": "bm90IGEgc2lnbmF0dXJl"},
    )

    assert response.status_code == 401
    assert response.json()["code"] == "signature_invalid"


def test_a_new_number_can_be_bound_with_a_certificate_instead_of_the_password(
    api_client: CommittingClient,
) -> None:
    account = citizen_create()
    iin = account.person.iin
    _issued, p12 = citizen_certificate_issue(iin=iin, surname="SEITKALI", given_name="ALIYA")
    tokens = sign_in(api_client, iin)
    challenge_id, signature = _signature(api_client, p12, demo_p12_password(iin))

    started = api_client.post_json(
        "/api/v1/me/phone/start",
        {"phone": "+77755556677", "challenge_id": challenge_id, "signature": signature},
        **bearer(tokens["access_token"]),
    )
    assert started.status_code == 202, started.json()
    confirmed = api_client.post_json(
        "/api/v1/me/phone/confirm",
        {"code_id": started.json()["code_id"], "code": last_code(api_client, "+77755556677")},
        **bearer(tokens["access_token"]),
    )

    assert confirmed.status_code == 200
    assert confirmed.json()["method"] == "certificate"


def test_someone_elses_certificate_cannot_bind_my_number(api_client: CommittingClient) -> None:
    account = citizen_create()
    _issued, p12 = citizen_certificate_issue(
        iin="791028302728", surname="OTHER", given_name="PERSON"
    )
    tokens = sign_in(api_client, account.person.iin)
    challenge_id, signature = _signature(api_client, p12, demo_p12_password("791028302728"))

    response = api_client.post_json(
        "/api/v1/me/phone/start",
        {"phone": "+77755556677", "challenge_id": challenge_id, "signature": signature},
        **bearer(tokens["access_token"]),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "certificate_mismatch"
