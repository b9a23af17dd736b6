from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qyzmet.catalogue.loader import SERVICES_DIR

EXAMPLE = "criminal-record-certificate.yaml"


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    """A private copy of the published catalogue, to break."""
    target = tmp_path / "services"
    shutil.copytree(SERVICES_DIR, target)
    return target


@pytest.fixture
def example(catalogue_dir: Path) -> Path:
    """The service file the fault tests break (the example of docs/services.md)."""
    return catalogue_dir / EXAMPLE
