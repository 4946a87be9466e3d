"""Default output names (estate.load.file_names): every stem a scenario's name gives is a
name Windows can hold as it is, as well as macOS and Linux. The Windows rules are
written out again here, from Microsoft's list, not taken from the module."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from estate.load.file_names import default_map, default_report, default_results, file_stem
from estate.store.folder import write_folder

DEVICES = ["CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
           *(f"LPT{n}" for n in range(1, 10)), "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"]
"""Windows' reserved device names ("Naming Files, Paths, and Namespaces")."""


def windows_refuses(name: str) -> bool:
    """Whether Windows refuses `name` as a file or folder name, or stores it as another
    name: a device name (any case; alone, before an extension, or before spaces), a
    name ending in a dot or a space, a character it forbids, or nothing."""
    base = name.split(".")[0].rstrip(" ")
    return (base.upper() in DEVICES or name.endswith((".", " ")) or name in ("", ".", "..")
            or re.search(r'[\x00-\x1f<>:"/\\|?*]', name) is not None)


@pytest.mark.parametrize("device", DEVICES)
def test_a_device_name_in_any_case_gets_an_underscore(device: str) -> None:
    for name in (device, device.lower(), device.title(), f"{device}.txt",
                 f"{device.lower()}.v2.final", f"{device} .txt", f"  {device}  ", f"{device}."):
        stem = file_stem(name)
        assert not windows_refuses(stem), (name, stem)
        for path in (default_results(name), default_map(name), default_report(name)):
            assert not windows_refuses(path.name), (name, path)
        assert stem.upper().startswith(device + "_"), (name, stem)
    assert file_stem(device) == f"{device}_"
    assert file_stem(f"{device.lower()}.v2") == f"{device.lower()}_.v2"


@pytest.mark.parametrize("name", ["CONSOLE", "COM10", "LPT0", "COM", "Con Edison plan",
                                  "Plan.CON", "NULL", "auxiliary", "Option B", "a.b"])
def test_a_name_that_only_looks_like_a_device_is_kept(name: str) -> None:
    assert file_stem(name) == name and not windows_refuses(name)


@pytest.mark.parametrize(("name", "stem"), [
    ("Option B.", "Option B"), ("Option B", "Option B"), ("Option B . . ", "Option B"),
    ("Option B...", "Option B"), ("...", "scenario"), (". .", "scenario"),
    ("v2.", "v2"), (".hidden.", "hidden"), ("a/b.", "a_b")])
def test_dots_and_spaces_at_the_end_are_dropped_as_windows_would(name: str,
                                                                  stem: str) -> None:
    """Windows stores `Option B.` as `Option B`: the stem is what it would store, so two
    names that are one folder there are one folder everywhere (and compare says so)."""
    assert file_stem(name) == stem


def test_any_name_gives_a_stem_windows_holds(tmp_path: Path) -> None:
    """Names drawn from the characters that matter (devices, dots, spaces, slashes,
    controls, letters), long and short: each stem is one that Windows holds as it is,
    within 160 bytes, and a folder of that name is made."""
    rng = np.random.default_rng(7)
    parts = [*DEVICES, "con", ".", ". ", " ", "/", "\\", ":", "\x01", "a", "é", "東京", "x" * 90]
    for _ in range(2_000):
        name = "".join(rng.choice(parts, size=int(rng.integers(1, 6))))
        stem = file_stem(name)
        assert not windows_refuses(stem) and not stem.startswith("."), (name, stem)
        assert len(stem.encode()) <= 160, (name, stem)
    for name in ("CON", "Option B.", "lpt1.backup", "x" * 200 + "."):
        assert write_folder(tmp_path / default_results(name), lambda tmp: None).is_dir()


def test_characters_that_show_as_nothing_are_left_out_of_a_file_name() -> None:
    """An Arabic name with the isolates word processors put round it is a name, but its
    default paths may not hold them, as a path printed amid estate's words may hold no
    mark of direction (they would be refused): left out, as they show as nothing."""
    assert file_stem("\u2067\u0645\u0643\u062a\u0628\u2069 plan") == "\u0645\u0643\u062a\u0628 plan"
    assert file_stem("a\u061cb\u200f") == "ab"
    assert file_stem("\u2067\u2069") == "scenario"
