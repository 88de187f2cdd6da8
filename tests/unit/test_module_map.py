"""The README's module map matches the tree (issue 11): every module of the package is named in
it, under its folder, and it names none that is gone."""

from __future__ import annotations

import re

from support import ROOT

PACKAGE = ROOT / "src" / "followcal"


def _module_map() -> dict[str, set[str]]:
    """folder ('' for the top level) -> the .py names the map lists under it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("    shared by every layer"):text.index("    templates/")]
    listed: dict[str, set[str]] = {}
    folder = ""
    for line in block.splitlines():
        heading = re.match(r"^    (\w+)/ ", line)
        if heading:
            folder = heading.group(1)
        elif line.startswith("    shared by every layer"):
            folder = ""
        for name in re.findall(r"\b(\w+)\.py\b", line):
            listed.setdefault(folder, set()).add(name)
    return listed


def test_every_module_is_in_the_readme_map_and_no_other() -> None:
    listed = _module_map()
    tree: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        folder = path.parent.relative_to(PACKAGE).as_posix()
        tree.setdefault("" if folder == "." else folder, set()).add(path.stem)
    assert listed == tree


def test_no_module_is_over_500_lines() -> None:
    long = {p.relative_to(PACKAGE).as_posix(): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}
