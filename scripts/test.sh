#!/usr/bin/env bash
# The full test suite: what a newcomer runs and exactly what CI runs.
# Type check, lint (workflow determinism rules), generated DB types current, then Jest (unit +
# integration against a real PostgreSQL with pgvector and a real Temporal dev server, which
# Jest's global setup installs on first use and starts once per run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npx tsx scripts/ensure-tools.ts
# The staff console (web/): its API client is generated from /openapi.json here, so a changed route fails the build (cached when nothing changed).
npx tsx scripts/build-web.ts
echo "[mdw] type check" >&2
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p web/e2e/tsconfig.json
echo "[mdw] lint" >&2
npx eslint --max-warnings=0 .
echo "[mdw] jest" >&2
report=$(mktemp)
status=0
npx jest --ci --json --outputFile="$report" "$@" || status=$?
# The console in a real browser (Debian's Chromium) against the real system: the issue's journeys and axe-core on every page.
echo "[mdw] browser tests (web/e2e)" >&2
web_report=web/test-results/report.json
rm -f "$web_report"
web_status=0
if [ $# -eq 0 ]; then
  npx playwright test -c web/e2e/playwright.config.ts || web_status=$?
else
  echo "[mdw] (jest arguments given: browser tests skipped; npm run test:web runs them)" >&2
  echo '{"stats":{"expected":0,"unexpected":0,"flaky":0,"skipped":0}}' > "$web_report"
fi
[ $status -ne 0 ] || status=$web_status
# A plain closing line that any CI reads, whatever the runner: Jest and the browser tests together.
node -e '
  const fs = require("fs");
  const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  let passed = r.numPassedTests, failed = r.numFailedTests + r.numRuntimeErrorTestSuites, skipped = r.numPendingTests + r.numTodoTests;
  console.log(`jest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  try {
    const w = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).stats;
    console.log(`browser: ${w.expected} passed, ${w.unexpected + w.flaky} failed, ${w.skipped} skipped`);
    passed += w.expected; failed += w.unexpected + w.flaky; skipped += w.skipped;
  } catch { failed += 1; console.log("browser: no report (the browser tests did not run)"); }
  console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$report" "$web_report" || true
rm -f "$report"
exit $status
