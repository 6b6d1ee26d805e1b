"""The lock files (requirements/*.lock, written by scripts/lock.sh) pin the whole dependency tree that `make run`,
`make test` and CI install. They must satisfy pyproject.toml: a dependency changed in one and not the other fails
here, not on a fresh machine."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[4]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def pins(kind: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements" / f"{kind}.lock").read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line.strip()):
            found[canonicalize_name(match[1])] = match[2]
    return found


def requirements(kind: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    if kind == "test":
        wanted += project["optional-dependencies"]["test"]
    return [Requirement(r) for r in wanted]


@pytest.mark.parametrize("kind", ["run", "test"])
def test_the_lock_satisfies_every_direct_requirement(kind):
    locked = pins(kind)
    wrong = {
        str(r): locked.get(canonicalize_name(r.name))
        for r in requirements(kind)
        if locked.get(canonicalize_name(r.name)) is None or not r.specifier.contains(locked[canonicalize_name(r.name)])
    }
    assert wrong == {}, f"requirements/{kind}.lock is stale: run scripts/lock.sh ({wrong})"


def test_every_line_of_the_locks_is_an_exact_pin():
    for kind in ("run", "test"):
        for line in (ROOT / "requirements" / f"{kind}.lock").read_text(encoding="utf-8").splitlines():
            entry = line.split("#", 1)[0].strip()
            assert not entry or PIN.match(entry), f"{kind}.lock: not an exact pin: {line}"


def test_the_test_lock_holds_the_run_lock():
    run, test = pins("run"), pins("test")
    assert {name: test.get(name) for name in run if test.get(name) != run[name]} == {}
