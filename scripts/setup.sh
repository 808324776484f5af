#!/usr/bin/env bash
# Install everything civscore needs on a Debian 12 machine, idempotently:
#   - Debian packages: fonts-noto-cjk (Chinese in the PDF scorecards),
#     libharfbuzz-subset0 (WeasyPrint subsets the CJK font with HarfBuzz in
#     ~0.3 s a page instead of 10-15 s with fontTools), poppler-utils (pdftotext,
#     pdffonts, pdftoppm: used by the tests and for looking at scorecards),
#     python3-venv where the interpreter lacks venv, chromium (the workbench's
#     browser tests drive Debian's /usr/bin/chromium through playwright).
#   - civscore itself, with its test extras, into .venv/.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
  missing+=("python3-venv")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.civscore-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing civscore and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi

# Bytecode for civscore's own modules (an editable install compiles none): without it
# every run compiles ~60 modules from source, about 0.13 s of each `civscore score`,
# wherever PYTHONDONTWRITEBYTECODE is set. Only stale files are recompiled.
.venv/bin/python -m compileall -q scorer
