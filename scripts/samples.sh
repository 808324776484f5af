#!/usr/bin/env bash
# The main job: set up, then score the sample reports in seeds/ and write a PDF
# scorecard for each under reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/civscore score seeds/*.txt --pdf-dir reports/ "$@"
