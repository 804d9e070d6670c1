"""The README's "Where things live" map matches the tree: every folder it names exists, every
top-level folder of the repository is in it, and every module of a Python package is named in
its package's entry, so a newcomer who reads the map finds every file."""

from __future__ import annotations

import re
import subprocess

from common.settings import PROJECT_ROOT

ENTRY = re.compile(r"^(?P<folder>[a-z_]+)/\s+(?P<text>.*)$")


def map_entries() -> dict[str, str]:
    """Folder -> its description, from the text block under "## Where things live"."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    entries: dict[str, str] = {}
    folder = None
    for line in block.splitlines():
        match = ENTRY.match(line)
        if match:
            folder = match["folder"]
            entries[folder] = match["text"]
        elif folder is not None:
            entries[folder] += " " + line.strip()
    return entries


def tracked_top_level_folders() -> set[str]:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")  # NUL-separated: the corpus has paths with spaces
    return {f.split("/")[0] for f in files if "/" in f and not f.startswith(".")}


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z_]+", text))


def test_every_folder_in_the_map_exists_and_every_folder_is_in_the_map():
    entries = map_entries()
    assert all((PROJECT_ROOT / folder).is_dir() for folder in entries)
    assert set(entries) == tracked_top_level_folders()


def test_every_module_and_subpackage_of_a_package_is_named_in_its_entry():
    """A package's own modules by name; a subpackage by its folder (views/, extracts/), whose
    entry says what its modules are."""
    for folder, text in map_entries().items():
        package = PROJECT_ROOT / folder
        if not (package / "__init__.py").exists():
            continue
        named = words(text)
        for module in package.glob("*.py"):
            assert module.stem == "__init__" or module.stem in named, f"{folder}/{module.name}"
        for subpackage in package.glob("*/__init__.py"):
            assert subpackage.parent.name in named, f"{folder}/{subpackage.parent.name}/"
