from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def hesse(db):
    """Hesse's regions and their organisations (loaded once; reloaded after a flush)."""
    from amtshilfe.regions.models import Region

    if not Region.objects.exists():
        call_command("import_regions", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data into the test database once, before the first test."""
    with django_db_blocker.unblock():
        call_command("import_regions", verbosity=0)
