"""Each document's title in kk, ru and en: from the service definition when the stored title is
one of its names (the document is that service's), else the stored title in its own language."""

from typing import Any

from django.db import migrations, models

LANGUAGES = ("kk", "ru", "en")


def _service_titles() -> dict[str, dict[str, str]]:
    try:
        from qyzmet.catalogue.selectors import catalogue_get

        services = catalogue_get().services.values()
    except Exception:  # noqa: BLE001 - no catalogue here: every row keeps its own title
        return {}
    return {
        service.code: {lang: service.result.document.title.get(lang) for lang in LANGUAGES}
        for service in services
        if service.result.document is not None
    }


def titles_fill(apps: Any, schema_editor: Any) -> None:
    Document = apps.get_model("documents", "Document")
    known = _service_titles()
    for document in Document.objects.only("pk", "service_code", "language", "title").iterator():
        names = known.get(document.service_code, {})
        if document.title in names.values():
            titles = dict(names)
        else:
            titles = {document.language or "kk": document.title}
        Document.objects.filter(pk=document.pk).update(titles=titles)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="titles",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(titles_fill, migrations.RunPython.noop),
    ]
