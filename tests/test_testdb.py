"""The test database each xdist worker copies from the run's migrated template (tests/testdb.py,
decision 0712) is the database ``migrate`` builds: every migration applied, and what the
post-migrate signals write (content types, permissions) present."""

import pytest


@pytest.mark.django_db
def test_the_test_database_is_fully_migrated():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(targets) == []
    applied = executor.loader.applied_migrations
    assert set(executor.loader.disk_migrations) <= set(applied)


@pytest.mark.django_db
def test_post_migrate_rows_are_there():
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    models = {(m._meta.app_label, m._meta.model_name) for m in apps.get_models()}
    assert models <= set(ContentType.objects.values_list("app_label", "model"))
    assert Permission.objects.filter(codename="add_user", content_type__app_label="accounts").exists()


def test_a_worker_alone_or_reusing_its_database_migrates_as_before():
    from types import SimpleNamespace

    from tests import testdb

    alone = SimpleNamespace(workerinput={"workercount": 1})
    pair = SimpleNamespace(workerinput={"workercount": 2})
    no_xdist = SimpleNamespace()
    assert not testdb.usable(alone, {"default"}, set(), keepdb=False, migrations=True)
    assert not testdb.usable(no_xdist, {"default"}, set(), keepdb=False, migrations=True)
    assert not testdb.usable(pair, {"default"}, set(), keepdb=True, migrations=True)
    assert not testdb.usable(pair, {"default"}, set(), keepdb=False, migrations=False)
    assert not testdb.usable(pair, {"default"}, {"default"}, keepdb=False, migrations=True)
    assert testdb.usable(pair, {"default"}, set(), keepdb=False, migrations=True)
