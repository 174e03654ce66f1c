#!/usr/bin/env bash
# The full test suite: what a newcomer runs and exactly what CI runs.
# Type check, lint (workflow determinism rules), generated DB types current, then Jest (unit +
# integration against a real PostgreSQL with pgvector and a real Temporal dev server, which
# Jest's global setup installs on first use and starts once per run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npx tsx scripts/ensure-tools.ts
echo "[mdw] type check" >&2
npx tsc --noEmit -p tsconfig.json
echo "[mdw] lint" >&2
npx eslint --max-warnings=0 .
echo "[mdw] jest" >&2
report=$(mktemp)
status=0
npx jest --ci --json --outputFile="$report" "$@" || status=$?
# A plain closing line that any CI reads, whatever the runner.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || true
rm -f "$report"
exit $status
