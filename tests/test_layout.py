"""grading/ grouped by kind, and every dotted path the configuration names imports.

nbgrader resolves the course's steps from strings in nbgrader_config.py only when a command
runs; a renamed module would break grading at the first submission. This imports each of
them now, and every name each package of grading/ lists in ``__all__``.
"""
import importlib
import json
import pkgutil
import tomllib

import pytest
from traitlets.config import PyFileConfigLoader
from traitlets.utils.importstring import import_item

import grading
from support import ROOT
def dotted_paths(value):
    """Every string in a config value that names something to import (a.b.C)."""
    if isinstance(value, str):
        parts = value.split(".")
        if len(parts) > 1 and all(p.isidentifier() for p in parts):
            yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from dotted_paths(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from dotted_paths(item)


def configured_paths():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    found = set()
    for section in config.values():
        for value in getattr(section, "values", lambda: [])():
            found |= {p for p in dotted_paths(value) if p.startswith("grading.")}
    return sorted(found)


def test_the_configuration_names_the_courses_steps():
    assert len(configured_paths()) >= 10


@pytest.mark.parametrize("path", configured_paths())
def test_every_step_the_configuration_names_imports(path):
    import_item(path)


def test_the_server_extension_and_the_kernel_provisioner_import():
    config = json.loads((ROOT / "jupyter-config" / "jupyter_server_config.d" / "em_prankster.json").read_text())
    for module in config["ServerApp"]["jpserver_extensions"]:
        assert hasattr(importlib.import_module(module), "_load_jupyter_server_extension"), module
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for target in project["project"]["entry-points"]["jupyter_client.kernel_provisioners"].values():
        module, name = target.split(":")
        getattr(importlib.import_module(module), name)


def packages():
    return [name for _, name, is_package in pkgutil.walk_packages(grading.__path__, "grading.")
            if is_package] + ["grading"]


@pytest.mark.parametrize("package", packages())
def test_each_package_says_what_it_holds(package):
    module = importlib.import_module(package)
    assert module.__doc__ and module.__all__, package
    for name in module.__all__:
        assert hasattr(module, name) or importlib.import_module(f"{package}.{name}"), (package, name)


def test_no_module_sits_loose_in_grading_but_the_few_that_serve_all():
    loose = sorted(name for _, name, is_package in pkgutil.iter_modules(grading.__path__) if not is_package)
    assert loose == ["assignments", "pipeline"], loose
