#!/bin/sh
# Regenerate requirements/constraints.txt from a fresh venv resolved from pyproject.toml.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
python3.11 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --upgrade pip
"$tmp/venv/bin/pip" install -q -e '.[test]'
{
  echo "# Exact versions of every Python dependency (the lock). Regenerate with scripts/lock.sh."
  "$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^nervetjek'
} > requirements/constraints.txt
rm -rf "$tmp"
