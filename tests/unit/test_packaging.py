"""What `pip install .` ships: every message template, in every language.

A wheel built from the package-data globs once left out templates/de, fr and es, so a German
draft fell back to the source tree and failed in a plain install."""

from __future__ import annotations

import fnmatch
import tomllib

from support import ROOT

PACKAGE = ROOT / "src" / "followcal"


def test_package_data_globs_cover_every_template() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["followcal"]
    files = sorted(p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "templates").rglob("*") if p.is_file())
    assert any("/" in f.removeprefix("templates/") for f in files), "expected per-language folders"
    missed = [f for f in files if not any(fnmatch.fnmatchcase(f, pat) and f.count("/") == pat.count("/") for pat in patterns)]
    assert missed == []
