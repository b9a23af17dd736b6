"""The static files collect with hashed names as production serves them: a file that names a
missing one (a vendored script's source map, say) fails here, not at `make run`. (Production's
whitenoise storage adds compressed copies on top of the same manifest step; compressing is left
out here because it is slow.)"""

from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

PRODUCTION = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def test_the_static_files_collect_with_the_production_storage(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION):
        call_command("collectstatic", "--noinput", verbosity=0)

    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("portal/vendor/chart.umd.min.*.js"))
    assert list(tmp_path.glob("portal/site.*.css"))
