"""The layers of src/followcal import only downwards (README "Development"), read from the source
with `ast`, so an import inside a function counts as much as one at the top of a module.

core (pure) <- ical (codec) <- backends <- app (use cases) <- cli; errors, config, config_parse,
state and retries are shared (backends get the state store passed in). Only the codec
(followcal.ical.*) uses the iCalendar libraries; the pure core talks to no network, terminal or
command line library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "followcal"

LAYERS = ("core", "ical", "backends", "app", "cli")
# what each layer must not import (followcal.<layer> prefixes and top-level library names)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": ("followcal.ical", "followcal.backends", "followcal.app", "followcal.cli",
             "icalendar", "recurring_ical_events", "x_wr_timezone", "click", "rich", "urllib.request", "urllib.error",
             "http", "socket", "ssl", "requests", "googleapiclient", "imapclient", "sqlite3", "followcal.state"),
    "ical": ("followcal.backends", "followcal.app", "followcal.cli", "click", "rich", "followcal.state"),
    # the state store is passed in (backends/base.py KeyValueStore): no backend opens it
    "backends": ("followcal.app", "followcal.cli", "click", "rich", "followcal.state"),
    "app": ("followcal.cli", "click", "rich"),
    "cli": (),
}
ICAL_LIBRARIES = ("icalendar", "recurring_ical_events", "x_wr_timezone")
# urllib.parse (quoting for mailto: links) is string work, not I/O: the core may use it, and a bare
# `import urllib` never is (it would reach urllib.request), so that counts as a network import
BARE_URLLIB = "urllib"
SHARED = ("followcal.errors", "followcal.config", "followcal.config_parse", "followcal.state", "followcal.retries")


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path = SRC) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path, root)
    package = name.rsplit(".", 1)[0] if path.name != "__init__.py" else name
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names if base == "followcal")
    return found


def matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else None


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_tree_has_the_layers() -> None:
    assert {layer_of(p) for p in SOURCES} >= set(LAYERS)
    for shared in SHARED:
        assert (SRC / (shared.replace(".", "/") + ".py")).is_file(), shared


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_go_down_the_layers(path: Path) -> None:
    layer = layer_of(path)
    problems = []
    for line, name in imports(path):
        if layer is not None:
            problems += [f"line {line}: {layer}/ imports {name}" for bad in FORBIDDEN[layer] if matches(name, bad)]
            if layer == "core" and name == BARE_URLLIB:
                problems.append(f"line {line}: core/ imports urllib (only urllib.parse is pure)")
        elif path.parent == PACKAGE and path.name != "__main__.py":  # a shared module: below every layer
            problems += [f"line {line}: shared module imports {name}" for bad in
                         ("followcal.backends", "followcal.app", "followcal.cli", "click", "rich") if matches(name, bad)]
        if layer != "ical" and any(matches(name, lib) for lib in ICAL_LIBRARIES):
            problems.append(f"line {line}: only followcal.ical.* may import {name}")
    assert not problems, f"{path.relative_to(SRC)}:\n" + "\n".join(problems)


def test_the_checker_sees_function_level_imports(tmp_path: Path) -> None:
    """The walk finds an import inside a function and resolves relative ones."""
    folder = tmp_path / "followcal" / "app"
    folder.mkdir(parents=True)
    sample = folder / "x.py"
    sample.write_text("def f():\n    import icalendar\n    from ..cli import console\n", encoding="utf-8")
    assert [n for _, n in imports(sample, tmp_path)] == ["icalendar", "followcal.cli"]
