#!/usr/bin/env bash
# Write requirements/run.lock and requirements/test.lock: every package of the dependency tree pinned, resolved from
# pyproject.toml's direct requirements by pip-tools (installed in a throwaway venv, not in the project's).
# Run after changing a dependency in pyproject.toml; `make run`, `make test` and CI install from the locks, and
# core/tests/test_lock.py fails when a lock no longer satisfies pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(command -v python3.11 || command -v python3)
TOOLS=$(mktemp -d)
trap 'rm -rf "$TOOLS"' EXIT
"$PY" -m venv "$TOOLS"
"$TOOLS/bin/pip" install -q --disable-pip-version-check pip-tools==7.6.2
options=(-q --strip-extras --no-emit-index-url --no-emit-find-links --no-header --annotation-style line)
# the test tree first; the run tree is resolved within it, so that both pin every shared package alike
"$TOOLS/bin/pip-compile" "${options[@]}" --extra test -o requirements/test.lock pyproject.toml
"$TOOLS/bin/pip-compile" "${options[@]}" --constraint requirements/test.lock -o requirements/run.lock pyproject.toml
echo "requirements/run.lock, requirements/test.lock written"
