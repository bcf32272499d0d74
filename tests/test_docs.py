"""The docs keep up with the code: every config key, command, model field and filter is documented."""

import dataclasses
import re
from pathlib import Path

import pytest

from newsbook import model
from newsbook.build import schema
from newsbook.cli.commands import main as cli_group

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("table", sorted(schema._SCHEMA))
def test_every_config_key_is_in_the_configuration_reference(table):
    reference = _text("configuration.md")
    assert f"[{table}]" in reference or f"[[{table}]]" in reference, table
    missing = [key for key in schema._SCHEMA[table]
               if not re.search(rf"(?m)^{re.escape(key)}\s*=|\b{re.escape(key)} = ", reference)]
    assert not missing, f"[{table}] keys missing from docs/configuration.md: {missing}"


def test_every_command_is_in_the_usage_guide():
    usage = _text("usage.md")
    missing = [name for name in cli_group.commands if f"newsbook {name}" not in usage]
    assert not missing, f"commands missing from docs/usage.md: {missing}"


@pytest.mark.parametrize("kind", [model.Issue, model.Section, model.Article])
def test_every_model_field_templates_get_is_in_the_templates_reference(kind):
    reference = _text("templates.md")
    names = [f.name for f in dataclasses.fields(kind)]
    names += [n for n, v in vars(kind).items() if isinstance(v, property)]
    missing = [n for n in names if f"`{n}`" not in reference]
    assert not missing, f"{kind.__name__} attributes missing from docs/templates.md: {missing}"


def test_every_filter_newsbook_adds_is_in_the_templates_reference():
    from jinja2.defaults import DEFAULT_FILTERS

    from newsbook.render.environment import Theme

    reference = _text("templates.md")
    ours = set(Theme().env.filters) - set(DEFAULT_FILTERS)
    assert ours, "newsbook adds filters"
    missing = sorted(name for name in ours if f"`{name}" not in reference)
    assert not missing, f"filters missing from docs/templates.md: {missing}"


def test_the_readme_links_resolve():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(((?:docs|samples)/[^)#]+)", readme)
    assert targets and all((DOCS.parent / t).exists() for t in targets), targets
