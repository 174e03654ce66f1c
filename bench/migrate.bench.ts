/**
 * `npm run bench:migrate`: the legacy migration at scale, side by side with a row-by-row INSERT
 * baseline in the same run.
 *
 *   npm run bench:migrate                          # 82,000 cases ≈ 1.0 M legacy rows, and a quarter of that
 *   npm run bench:migrate -- --cases 20000 --small 5000 --baseline-rows 50000
 *   npm run bench:migrate -- --classifier none|lexical|default --heap-mb 256
 *   npm run bench:migrate -- --no-fast-path        # every INSERT through its triggers (before bulk-insert.ts)
 *   npm run bench:migrate -- --no-split            # the records phase's messages and states from one session
 *
 * For each size: a legacy database generated with the README's mess (test/support/legacy/
 * generate.ts, dispatch_record dominating) and a migrated MDW target on one embedded PostgreSQL;
 * the tool runs in a child process (its peak RSS is its own), then runs again against the
 * unchanged legacy database (the no-change re-run). The baseline reads dispatch_record with a
 * cursor and INSERTs each row with its own statement into a bare table of the same shape (no
 * mapping at all, so it flatters the baseline). Live-case workflow starts are not part of it
 * (they need Temporal and scale with live cases, not rows). Free staff text goes through the
 * intent classifier (--classifier: `lexical` by default, the lexical encoder alone; `default`
 * is the CLI's default with the embedding model; `none` skips it). --heap-mb caps the child's
 * V8 heap (a run that fits the same cap at both sizes has flat memory). Prints where the
 * seconds go (the run's step timings). Results: bench/results/migrate-*.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { guardClient } from '../src/db/connection-errors';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}

async function child(legacyUrl: string, targetUrl: string, classifierKind: string, fastPath: string): Promise<void> {
  const { migrateLegacy } = await import('../src/migration/pipeline');
  const { createMigrationClassifier } = await import('../src/migration/intent');
  const classifier =
    classifierKind === 'none'
      ? undefined
      : async () => {
          const { config } = await import('../src/config');
          const { createEmbeddingProvider } = await import('../src/ai/providers');
          return createMigrationClassifier(classifierKind === 'default' ? createEmbeddingProvider(config()) : null, (err) => process.stderr.write(`  intent: embedding model unavailable (${String(err).split('\n')[0]}): lexical encoder only\n`));
        };
  const { dedupPatients } = await import('../src/migration/dedup');
  const { lineProgress } = await import('../src/migration/progress');
  const progress = lineProgress((l) => process.stderr.write(`  ${l}\n`));
  // Peak heap in use (sampled) says what the run needs; peak RSS also counts what V8 keeps
  // around without needing it.
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 20);
  const t0 = Date.now();
  const bulkFastPath = fastPath !== 'off';
  // --no-split (MDW_BENCH_SPLIT=off from the parent): the records phase's messages and states from one session.
  const recordsSplitMinRows = process.env.MDW_BENCH_SPLIT === 'off' ? Infinity : undefined;
  const first = await migrateLegacy({ legacyUrl, targetUrl, dedup: dedupPatients, progress, classifier, bulkFastPath, sampleHeap: true, recordsSplitMinRows });
  const firstMs = Date.now() - t0;
  clearInterval(sampler);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const peakHeapMb = peakHeap / 2 ** 20;
  // What the run kept alive: the largest heap right after a full GC, over its steps (peakHeapMb
  // also counts garbage V8 had not collected yet, which grows with how long the run allocates).
  const liveHeapMb = Math.max(0, ...first.timings.map((t) => t.liveHeapMb ?? 0));
  const t1 = Date.now();
  const again = await migrateLegacy({ legacyUrl, targetUrl, dedup: dedupPatients, classifier, bulkFastPath });
  const rerunMs = Date.now() - t1;
  process.stdout.write(
    JSON.stringify({ rows: first.totals.read, firstMs, rerunMs, peakRssMb, peakHeapMb, liveHeapMb, ok: first.ok && again.ok, rerun: again.totals, timings: first.timings, rerunTimings: again.timings, tables: first.tables, dedup: { ...first.dedup, clusterList: undefined, reviewPairs: undefined, testData: first.dedup.testData.length }, states: { ...first.states, notUnderstoodExamples: undefined } }) + '\n',
  );
}

async function baseline(legacyUrl: string, targetUrl: string, limit: number): Promise<{ rows: number; ms: number }> {
  const l = guardClient(new pg.Client({ connectionString: legacyUrl }));
  const t = guardClient(new pg.Client({ connectionString: targetUrl }));
  await l.connect();
  await t.connect();
  try {
    await t.query(`CREATE TABLE IF NOT EXISTS baseline_record (id int PRIMARY KEY, target_type_id int, target_id bigint, author_id int, text text, created_at timestamptz)`);
    await l.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
    await l.query(`DECLARE c NO SCROLL CURSOR FOR SELECT id, target_type_id, target_id, author_id, text, created_at::timestamptz FROM dispatch_record ORDER BY id LIMIT ${limit}`);
    const started = Date.now();
    let rows = 0;
    await t.query('BEGIN');
    for (;;) {
      const batch = await l.query(`FETCH 1000 FROM c`);
      if (batch.rows.length === 0) break;
      for (const r of batch.rows) {
        await t.query({ name: 'ins', text: `INSERT INTO baseline_record VALUES ($1, $2, $3, $4, $5, $6)`, values: [r.id, r.target_type_id, r.target_id, r.author_id, r.text, r.created_at] });
        rows++;
      }
    }
    await t.query('COMMIT');
    return { rows, ms: Date.now() - started };
  } finally {
    await l.end();
    await t.end();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6]!);
  // --no-fast-path: every INSERT through its triggers (the write path before src/migration/bulk-insert.ts).
  const fastPath = process.argv.includes('--no-fast-path') ? 'off' : 'on';
  if (process.argv.includes('--no-split')) process.env.MDW_BENCH_SPLIT = 'off';
  const cases = arg('cases', 82_000);
  const classifierKind = process.argv.includes('--classifier') ? process.argv[process.argv.indexOf('--classifier') + 1]! : 'lexical';
  const heapMb = arg('heap-mb', 0);
  const small = arg('small', Math.round(cases / 4));
  const baselineRows = arg('baseline-rows', 100_000);
  const { startEmbeddedPostgres } = await import('../scripts/lib/embedded-postgres');
  const { migrate } = await import('../src/db/migrate');
  const { generateLegacy } = await import('../test/support/legacy/generate');
  const { createDatabase } = await import('../test/support/legacy/fixture');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-bench-migrate-'));
  execFileSync('chmod', ['755', dir]);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), database: 'postgres_bench', ephemeral: true });
  const results: Record<string, unknown>[] = [];
  try {
    let baselineResult: { rows: number; ms: number } | null = null;
    for (const size of [small, cases]) {
      const legacy = await createDatabase(server.url, `legacy_${size}`);
      const g0 = Date.now();
      await generateLegacy(legacy, { cases: size });
      console.error(`generated ${size} cases in ${((Date.now() - g0) / 1000).toFixed(1)} s`);
      const target = await createDatabase(server.url, `target_${size}`);
      await migrate(target);
      const heap = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
      const r = spawnSync(process.execPath, [...process.execArgv, ...heap, __filename, '--child', legacy, target, classifierKind, fastPath], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) throw new Error(`migration child failed (${r.status})`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
      results.push({ cases: size, ...out });
      console.error(`${size} cases: ${out.rows} rows in ${(out.firstMs / 1000).toFixed(1)} s; re-run ${(out.rerunMs / 1000).toFixed(1)} s; peak heap ${out.peakHeapMb.toFixed(0)} MB (live after full GC ${out.liveHeapMb} MB), RSS ${out.peakRssMb.toFixed(0)} MB`);
      if (size === cases) {
        const baseTarget = await createDatabase(server.url, `baseline_${size}`);
        baselineResult = await baseline(legacy, baseTarget, baselineRows);
      }
    }
    type Timing = { step: string; ms: number; calls: number; peakHeapMb?: number; liveHeapMb?: number };
    const big = results[results.length - 1] as { rows: number; firstMs: number; rerunMs: number; peakRssMb: number; peakHeapMb: number; liveHeapMb: number; timings: Timing[]; states: { records: number; classified: number; notUnderstood: number; systemTexts: number }; dedup: { pairs: number; grades: Record<string, number>; merged: number; queued: number } };
    const smallR = results[0] as { rows: number; firstMs: number; peakRssMb: number; peakHeapMb: number; liveHeapMb: number; timings: Timing[]; dedup: { pairs: number; grades: Record<string, number>; merged: number; queued: number } };
    // Which step needs the memory, at both sizes: a step whose peak grows with the rows is what keeps memory from being flat.
    const smallHeap = new Map(smallR.timings.map((t) => [t.step, t.peakHeapMb]));
    const smallLive = new Map(smallR.timings.map((t) => [t.step, t.liveHeapMb]));
    const heapLines = [...big.timings]
      .filter((t) => t.peakHeapMb !== undefined)
      .sort((x, y) => (y.peakHeapMb ?? 0) - (x.peakHeapMb ?? 0))
      .slice(0, 12)
      .map((t) => `| ${t.step} | ${smallHeap.get(t.step) ?? '–'} / ${smallLive.get(t.step) ?? '–'} | ${t.peakHeapMb} / ${t.liveHeapMb ?? '–'} |`);
    const dedupLine = (d: typeof big.dedup, rows: number) => `${rows.toLocaleString('en')} rows: ${d.pairs} pairs graded (certain ${d.grades.certain}, probable ${d.grades.probable}, possible ${d.grades.possible}), ${d.merged} merged, ${d.queued} queued for review`;
    const perMin = (rows: number, ms: number) => Math.round(rows / (ms / 60_000));
    const lines = [
      `| | tool (COPY + set-based SQL) | row-by-row INSERT baseline |`,
      `|---|---|---|`,
      `| legacy rows | ${big.rows.toLocaleString('en')} | ${baselineResult!.rows.toLocaleString('en')} (dispatch_record only, no mapping, into a bare table: no audit, no trigger, no index but its key) |`,
      `| time | ${(big.firstMs / 1000).toFixed(1)} s | ${(baselineResult!.ms / 1000).toFixed(1)} s |`,
      `| records/min | ${perMin(big.rows, big.firstMs).toLocaleString('en')} | ${perMin(baselineResult!.rows, baselineResult!.ms).toLocaleString('en')} |`,
      `| ratio | ${(perMin(big.rows, big.firstMs) / perMin(baselineResult!.rows, baselineResult!.ms)).toFixed(2)}× | 1× |`,
      ``,
      `no-change re-run: ${(big.rerunMs / 1000).toFixed(1)} s = ${((100 * big.rerunMs) / big.firstMs).toFixed(1)} % of the first run`,
      `peak heap used: ${smallR.peakHeapMb.toFixed(0)} MB at ${smallR.rows.toLocaleString('en')} rows, ${big.peakHeapMb.toFixed(0)} MB at ${big.rows.toLocaleString('en')} rows (peak RSS ${smallR.peakRssMb.toFixed(0)} / ${big.peakRssMb.toFixed(0)} MB; live after a full GC ${smallR.liveHeapMb} / ${big.liveHeapMb} MB${heapMb > 0 ? `; heap capped at ${heapMb} MB` : ''})`,
      `machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end`,
      `records/min at the small size: ${perMin(smallR.rows, smallR.firstMs).toLocaleString('en')}`,
      `classifier: ${classifierKind}; free texts ${(big.states.records - big.states.systemTexts).toLocaleString('en')} of ${big.states.records.toLocaleString('en')} records (${big.states.classified.toLocaleString('en')} classified, ${big.states.notUnderstood.toLocaleString('en')} not understood)`,
      `dedup: ${dedupLine(smallR.dedup, smallR.rows)}; ${dedupLine(big.dedup, big.rows)}`,
      ``,
      `peak heap per step (MB, sampled / live after a full GC in the step):`,
      `| step | ${smallR.rows.toLocaleString('en')} rows | ${big.rows.toLocaleString('en')} rows |`,
      `|---|---|---|`,
      ...heapLines,
      ``,
      `where the ${(big.firstMs / 1000).toFixed(1)} s of the ${big.rows.toLocaleString('en')}-row run go:`,
      `| step | s | share |`,
      `|---|---|---|`,
      ...[...big.timings].sort((x, y) => y.ms - x.ms).map((t) => `| ${t.step} | ${(t.ms / 1000).toFixed(1)} | ${((100 * t.ms) / big.firstMs).toFixed(1)} % |`),
    ];
    console.log(lines.join('\n'));
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    const file = path.join(__dirname, 'results', `migrate-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ cases, small, baselineRows, classifier: classifierKind, heapMb, fastPath, results, baseline: baselineResult, cpus: os.cpus().length, load: os.loadavg() }, null, 2));
    console.log(`results: ${path.relative(process.cwd(), file)}`);
  } finally {
    server.stop();
    // 3+ GB of PostgreSQL data per 1M-row run (stop() waits for the server): left behind, a day of runs filled the disk.
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
