"""PAdES signing and checking without the database: every verdict, from the bottom line."""

from __future__ import annotations

import datetime as dt
import functools
import io

import pytest
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from qyzmet.signatures import issuance
from qyzmet.signatures.pades import pdf_sign, pdf_signer_certificate, pdf_verify
from qyzmet.signatures.providers.revocation import RevocationInfo
from qyzmet.signatures.tests.pki import Authority, Signer, authority_build, now, signer_issue


@functools.cache
def pki() -> tuple[Authority, Authority, Signer]:
    root = authority_build("PAdES Test Root CA")
    intermediate = authority_build("PAdES Test CA", parent=root)
    signer = signer_issue(intermediate, chain=[intermediate.certificate, root.certificate])
    return root, intermediate, signer


@functools.cache
def blank_pdf() -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string="<p>Анықтама — справка</p>").write_pdf()
    return pdf


def crl(authority: Authority, revoked: tuple[int, ...] = ()) -> bytes:
    return issuance.crl_sign(
        issuer_cert=authority.certificate,
        issuer_key=authority.key,
        revocations=[
            issuance.Revocation(
                serial_number=serial, revoked_at=now(), reason=x509.ReasonFlags.key_compromise
            )
            for serial in revoked
        ],
        now=now(),
        lifetime=dt.timedelta(hours=1),
    )


def sign(pdf: bytes | None = None, signer: Signer | None = None) -> bytes:
    _root, _intermediate, default = pki()
    signer = signer or default
    return pdf_sign(
        pdf=pdf if pdf is not None else blank_pdf(),
        certificate=signer.certificate,
        key=signer.key,
        chain=signer.chain,
        reason="test",
        location="KZ",
    )


def verify(
    pdf: bytes,
    *,
    revoked: tuple[int, ...] = (),
    roots: list[x509.Certificate] | None = None,
    crls: bool = True,
) -> str:
    root, intermediate, _signer = pki()
    info = RevocationInfo(crls=(crl(root), crl(intermediate, revoked)) if crls else ())
    return pdf_verify(
        pdf=pdf,
        trust_roots=[root.certificate] if roots is None else roots,
        intermediates=[intermediate.certificate],
        revocation=info,
    ).code


def test_a_signed_pdf_is_valid_and_names_its_signer() -> None:
    signed = sign()
    _root, _intermediate, signer = pki()

    root, intermediate, _ = pki()
    verdict = pdf_verify(
        pdf=signed,
        trust_roots=[root.certificate],
        intermediates=[intermediate.certificate],
        revocation=RevocationInfo(crls=(crl(root), crl(intermediate))),
    )

    assert verdict.code == "valid"
    assert verdict.ok
    assert verdict.signer == signer.certificate
    assert verdict.signer_serial == format(signer.certificate.serial_number, "x")
    assert verdict.signed_at is not None
    assert pdf_signer_certificate(signed) == signer.certificate


def test_a_changed_byte_in_the_signed_range_is_tampered() -> None:
    signed = sign()
    position = signed.index(b"stream") + 20
    changed = bytearray(signed)
    changed[position] ^= 0x20
    assert verify(bytes(changed)) == "tampered"


def test_a_changed_signature_value_is_tampered() -> None:
    signed = sign()
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    # The RSA signature value is the last thing in the CMS, before the zero padding.
    last = start + len(signed[start:end].rstrip(b"0")) - 20
    changed = bytearray(signed)
    changed[last : last + 2] = b"00" if signed[last : last + 2] != b"00" else b"11"
    assert verify(bytes(changed)) == "tampered"


def test_anything_added_after_signing_is_refused() -> None:
    signed = sign()
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    writer.root["/PageMode"] = generic.NameObject("/UseOutlines")  # a harmless-looking edit
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    assert verify(output.getvalue()) == "modified_after_signing"
    # Bytes that are not even a valid update.
    assert verify(signed + b"\n% appended\n") in {"modified_after_signing", "not_pdf"}


def test_a_revoked_signer_or_missing_revocation_data_is_refused() -> None:
    signed = sign()
    _root, _intermediate, signer = pki()
    assert verify(signed, revoked=(signer.certificate.serial_number,)) == "certificate_revoked"
    assert verify(signed, crls=False) == "untrusted"


def test_another_root_or_no_root_is_untrusted() -> None:
    signed = sign()
    other = authority_build("Somebody Else Root CA")
    assert verify(signed, roots=[other.certificate]) == "untrusted"
    assert verify(signed, roots=[]) == "untrusted"


def test_a_self_made_ca_copying_our_names_is_untrusted() -> None:
    root, _intermediate, _signer = pki()
    # Same subject names, different keys (test_key caches by role, so use a fresh role).
    fake_root = authority_build("PAdES Test Root CA")
    fake_root = Authority(
        certificate=issuance.ca_certificate_build(
            subject=root.certificate.subject,
            key=issuance.rsa_key_generate(bits=2048),
            issuer=None,
            path_length=None,
            now=now(),
            valid_days=30,
        ),
        key=fake_root.key,
    )
    forged_signer = Signer(
        key=pki()[2].key,
        certificate=pki()[2].certificate,
        chain=[fake_root.certificate],
    )
    assert verify(sign(signer=forged_signer), roots=[fake_root.certificate]) == "untrusted"


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "not_pdf"), (b"PK\x03\x04zip", "not_pdf"), (b"%PDF-1.7\ngarbage", "not_pdf")],
)
def test_what_is_not_a_signed_pdf(data: bytes, code: str) -> None:
    assert verify(data) == code


def test_an_unsigned_pdf_is_not_signed() -> None:
    assert verify(blank_pdf()) == "not_signed"
    assert pdf_signer_certificate(blank_pdf()) is None
