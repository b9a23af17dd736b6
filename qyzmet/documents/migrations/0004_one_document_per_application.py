"""One valid result document per application. A database that already holds a second valid
document of an application (issued twice before this constraint) keeps the first; each later
one is revoked, its reason naming the document that stands."""

from typing import Any

from django.db import migrations, models

REASON = "Issued twice for application %(application)s; document %(first)s stands."


def _revoke_second_documents(apps: Any, schema_editor: Any) -> None:
    Document = apps.get_model("documents", "Document")
    duplicated = (
        Document.objects.filter(status="valid")
        .exclude(application_id="")
        .values("application_id")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
        .values_list("application_id", flat=True)
    )
    for application_id in list(duplicated):
        first, *later = Document.objects.filter(
            application_id=application_id, status="valid"
        ).order_by("issued_at", "number")
        for document in later:
            document.status = "revoked"
            document.status_changed_at = document.issued_at
            document.revocation_reason = REASON % {
                "application": application_id,
                "first": first.number,
            }
            document.save(update_fields=["status", "status_changed_at", "revocation_reason"])


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_verification_checks")]

    operations = [
        migrations.RunPython(_revoke_second_documents, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status", "valid"), models.Q(("application_id", ""), _negated=True)
                ),
                fields=("application_id",),
                name="one_document_per_application",
            ),
        ),
    ]
