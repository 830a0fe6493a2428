"""Every app has the same shape (issue 16, decision 0794), read from the source with ``ast``:

- an app's API modules (``<app>/api.py``, or the modules of an ``<app>/api/`` package) hold
  operations only; their request and answer bodies are in ``schemas`` beside them
  (``<app>/schemas.py``, or ``<app>/api/schemas.py`` in a package);
- an app with models has ``admin.py``;
- job runners (``@job_runner``) are in the app's ``tasks.py``;
- form classes are in the app's ``forms.py``, never in views.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "innolink"
SCHEMA_BASES = {"Schema", "ModelSchema", "FilterSchema", "BaseModel"}
NOT_APPS = {"api", "engines", "static", "templates", "locale"}


def _apps() -> list[pathlib.Path]:
    return sorted(p for p in PACKAGE.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_APPS)


def _sources(app: pathlib.Path):
    for path in app.rglob("*.py"):
        rel = path.relative_to(app).parts
        if "tests" in rel or "migrations" in rel:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _base_names(node: ast.ClassDef) -> set[str]:
    return {ast.unparse(b).split(".")[-1].split("[")[0] for b in node.bases}


def _api_modules(app: pathlib.Path) -> list[pathlib.Path]:
    if (app / "api").is_dir():
        return [p for p in (app / "api").glob("*.py") if p.name != "schemas.py"]
    return [app / "api.py"] if (app / "api.py").exists() else []


def test_api_modules_define_no_schema():
    found = []
    for app in _apps():
        for path in _api_modules(app):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(ROOT)}: {node.name}" for node in tree.body
                      if isinstance(node, ast.ClassDef)]
    assert found == []


def test_every_api_has_its_schemas_module_beside_it():
    missing = []
    for app in _apps():
        if (app / "api").is_dir():
            if not (app / "api" / "schemas.py").exists():
                missing.append(f"{app.name}/api/schemas.py")
        elif (app / "api.py").exists() and not (app / "schemas.py").exists():
            missing.append(f"{app.name}/schemas.py")
    assert missing == []


def test_schemas_live_only_in_schemas_modules():
    """A body class defined anywhere else (a view, a service) is a second place to look."""
    stray = []
    for app in _apps():
        for path, tree in _sources(app):
            if path.name == "schemas.py":
                continue
            stray += [f"{path.relative_to(ROOT)}: {node.name}" for node in ast.walk(tree)
                      if isinstance(node, ast.ClassDef) and _base_names(node) & {"Schema",
                                                                                 "ModelSchema"}]
    assert stray == []


def test_every_app_with_models_has_an_admin():
    missing = []
    for app in _apps():
        models = app / "models.py"
        if not models.exists():
            continue
        tree = ast.parse(models.read_text(encoding="utf-8"))
        has_model = any(isinstance(n, ast.ClassDef) and "Model" in _base_names(n)
                        for n in tree.body)
        if has_model and not (app / "admin.py").exists():
            missing.append(app.name)
    assert missing == []


def test_job_runners_are_in_tasks_modules():
    elsewhere, apps_with_runners = [], set()
    for app in _apps():
        for path, tree in _sources(app):
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and any(
                        ast.unparse(d).startswith("job_runner(") for d in node.decorator_list):
                    if path != app / "tasks.py":
                        elsewhere.append(f"{path.relative_to(ROOT)}: {node.name}")
                    apps_with_runners.add(app.name)
    assert elsewhere == []
    assert {"challenges", "dashboard", "enterprises", "events", "matching", "policies",
            "rankings", "servicedesk"} <= apps_with_runners


def test_form_classes_are_in_forms_modules():
    stray = []
    for app in _apps():
        for path, tree in _sources(app):
            if path.name == "forms.py":
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and any(
                        ast.unparse(b) in ("forms.Form", "forms.ModelForm", "Form", "ModelForm")
                        for b in node.bases):
                    stray.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert stray == []


@pytest.mark.django_db
def test_the_new_admin_views_list_and_never_add(client):
    """challenges, projects, matching and dashboard: each registered list opens for an
    administrator, read-only (no add button, a change page is not offered)."""
    from django.contrib import admin
    from django.urls import reverse

    from innolink.accounts.roles import Role
    from innolink.enterprises.testing import make_user

    client.force_login(make_user(Role.ADMIN, username="root", is_staff=True,
                                 is_superuser=True))
    models = [m for m in admin.site._registry
              if m._meta.app_label in {"challenges", "projects", "matching", "dashboard"}]
    assert len(models) >= 14
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"{url}add/" not in response.content.decode(), url
