"""A Jinja loader over a chain of template folders, where "!name" means the next one further down."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import BaseLoader, Environment, TemplateNotFound

# The name a "!name" reference resolves to: the same file, looked up from folder `level` on.
# "!" cannot start a name a template would otherwise use, so these never collide.
_BELOW = re.compile(r"^!(\d+)!(.+)$")


class ChainLoader(BaseLoader):
    """Templates from the first folder of the chain that has them (project, theme, built-in)."""

    def __init__(self, folders: list[Path], labels: list[str]):
        self.folders = folders
        self.labels = labels  # for messages: "project", "theme 'classic'", "built-in"

    def locate(self, name: str) -> tuple[int, Path]:
        """The chain level and file a template name resolves to."""
        start, plain = 0, name
        match = _BELOW.match(name)
        if match:
            start, plain = int(match.group(1)), match.group(2)
        parts = [p for p in plain.split("/") if p]
        if not parts or any(p in ("..", ".") or "\\" in p for p in parts):
            raise TemplateNotFound(name)  # names stay inside the theme folders
        for level in range(start, len(self.folders)):
            path = self.folders[level].joinpath(*parts)
            if path.is_file():
                return level, path
        if match:
            below = ", ".join(self.labels[start:]) or "nothing"
            raise TemplateNotFound(f"!{plain}", f"no template '{plain}' further down the "
                                                f"theme chain (looked in: {below})")
        raise TemplateNotFound(name)

    def below(self, name: str, parent: str) -> str:
        """The internal name of "!name" referenced from `parent`: the next one below parent's folder."""
        level, _ = self.locate(parent)
        return f"!{level + 1}!{name}"

    def get_source(self, environment: Environment, template: str):
        """Jinja's loader hook: source, file name and an up-to-date check."""
        _, path = self.locate(template)
        source = path.read_text(encoding="utf-8")
        mtime = path.stat().st_mtime
        return source, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime

    def display(self, name: str) -> str:
        """A template name as a person reads it: 'article.xhtml (theme 'classic')'."""
        try:
            level, _ = self.locate(name)
        except TemplateNotFound:
            return name.split("!")[-1]
        return f"{name.split('!')[-1]} ({self.labels[level]})"


class ChainEnvironment(Environment):
    """An Environment whose extends/include/import resolve "!name" through its ChainLoader."""

    def join_path(self, template: str, parent: str) -> str:
        """Jinja's hook for names used inside a template: "!name" is relative to that template."""
        if template.startswith("!") and isinstance(self.loader, ChainLoader):
            return self.loader.below(template[1:], parent)
        return template
