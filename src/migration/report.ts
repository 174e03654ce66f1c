/**
 * The run's report: pgloader's closing table (per legacy table: read = migrated + merged +
 * skipped + rejected, and what is unaccounted for), every row that was not migrated with its
 * reason, the dedup figures, what the state reconstruction understood, and the live cases.
 */
import type { DeletedRow } from './deleted';
import type { MatchPair } from './dedup/types';
import type { StepTiming } from './timings';

export interface TableCounts {
  table: string;
  read: number;
  migrated: number;
  merged: number;
  skipped: number;
  rejected: number;
  /** read − (migrated + merged + skipped + rejected): must be 0. */
  unaccounted: number;
  /** Rows new since the last run, and rows changed since (by row hash). */
  new: number;
  changed: number;
  /**
   * Rows an earlier run mapped that are no longer in the legacy database (not among the rows
   * read: beside the reconciliation, not in it). MDW kept what it made of them.
   */
  deletedInLegacy: number;
}

export interface MigrationReport {
  runId: string;
  dryRun: boolean;
  practice: number | null;
  startedAt: string;
  durationMs: number;
  /** true when every row read is accounted for. */
  ok: boolean;
  missingTables: string[];
  tables: TableCounts[];
  totals: { read: number; new: number; changed: number; deletedInLegacy: number };
  /** Rows not migrated, the first REPORT_LIST_LIMIT of them (all in the report file); the total beside. */
  notMigrated: Array<{ table: string; id: string; disposition: string; reason: string | null }>;
  notMigratedTotal: number;
  /** Rows deleted in legacy since an earlier run, the first REPORT_LIST_LIMIT of them (all in the report file); the total is totals.deletedInLegacy. */
  deletedInLegacy: DeletedRow[];
  dedup: {
    records: number;
    pairs: number;
    grades: { certain: number; probable: number; possible: number };
    clusters: number;
    merged: number;
    queued: number;
    testData: Array<{ key: string; reason: string }>;
    clusterList: string[][];
    reviewPairs: MatchPair[];
  };
  templates: Array<{ workflow: string; ok: boolean; tasks: number; errors: string[] }>;
  states: {
    cases: number;
    records: number;
    systemTexts: number;
    classified: number;
    /** Not understood (counted in notUnderstood) although a classifier looked: below its threshold or declined by its guards. */
    belowThreshold: number;
    notUnderstood: number;
    transitions: number;
    classifier: { model: string; threshold: number | null } | null;
    notUnderstoodExamples: Array<{ id: number; text: string }>;
  };
  liveCases: { eligible: number; started: number; withoutTemplate: number; outcomes: Array<{ caseId: string; ok: boolean; detail: string }> };
  interruptedRuns: string[];
  /** Wall time per step of the run (exclusive of nested steps), in the order first run. */
  timings: StepTiming[];
}

export function buildReport(r: Omit<MigrationReport, 'ok' | 'totals'>): MigrationReport {
  const totals = r.tables.reduce(
    (a, t) => ({ read: a.read + t.read, new: a.new + t.new, changed: a.changed + t.changed, deletedInLegacy: a.deletedInLegacy + t.deletedInLegacy }),
    { read: 0, new: 0, changed: 0, deletedInLegacy: 0 },
  );
  return { ...r, ok: r.tables.every((t) => t.unaccounted === 0), totals };
}

/** The reconciliation table and the summary lines an operator reads at the end of a run. */
export function renderReport(report: MigrationReport): string {
  // The last column is not part of read = migrated + merged + skipped + rejected: rows no longer read.
  const head = ['table', 'read', 'migrated', 'merged', 'skipped', 'rejected', 'unaccounted', 'new', 'changed', 'deleted in legacy'];
  const rows = report.tables.map((t) => [t.table, t.read, t.migrated, t.merged, t.skipped, t.rejected, t.unaccounted, t.new, t.changed, t.deletedInLegacy].map(String));
  const total = ['TOTAL', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => String(rows.reduce((n, r) => n + Number(r[i]), 0)))];
  const all = [head, ...rows, total];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(head), sep, ...rows.map(line), sep, line(total), ''];
  if (report.missingTables.length) out.push(`missing tables (skipped): ${report.missingTables.join(', ')}`);
  out.push(`${report.totals.new} new, ${report.totals.changed} changed${report.dryRun ? ' (dry run: nothing written)' : ''}`);
  out.push(...renderDeleted(report));
  const d = report.dedup;
  out.push(`patients: ${d.records} read, ${d.pairs} pairs graded (certain ${d.grades.certain}, probable ${d.grades.probable}, possible ${d.grades.possible}), ${d.merged} merged into ${d.clusters} people, ${d.queued} queued for review, ${d.testData.length} test data`);
  const s = report.states;
  out.push(`state histories: ${s.cases} cases from ${s.records} records (${s.systemTexts} system texts, ${s.classified} classified, ${s.notUnderstood} not understood), ${s.transitions} transitions`);
  out.push(
    s.classifier
      ? `free text: classified by ${s.classifier.model}${s.classifier.threshold === null ? '' : ` above confidence ${s.classifier.threshold}`}; ${s.belowThreshold} below it or declined (not understood, kept as messages)`
      : `free text: no intent classifier ran (--no-classify-intent, or no free text)${s.notUnderstood ? `: ${s.notUnderstood} reported as not understood` : ''}`,
  );
  const bad = report.templates.filter((t) => !t.ok);
  if (report.templates.length) out.push(`templates: ${report.templates.length - bad.length} imported, ${bad.length} invalid${bad.length ? ` (${bad.map((t) => t.workflow).join(', ')})` : ''}`);
  const l = report.liveCases;
  out.push(`live cases: ${l.started} of ${l.eligible} workflows started${l.withoutTemplate ? `, ${l.withoutTemplate} without a template (not started)` : ''}`);
  if (report.interruptedRuns.length) out.push(`resumed after ${report.interruptedRuns.length} interrupted run(s)`);
  const unaccounted = report.tables.filter((t) => t.unaccounted !== 0);
  if (unaccounted.length) out.push(`UNACCOUNTED rows in ${unaccounted.map((t) => t.table).join(', ')}`);
  return out.join('\n');
}

/** How many rows shown inline by the closing lines; the report file has all of them. */
const DELETED_SHOWN = 10;

/** The closing lines about rows deleted in legacy since an earlier run (none when there are none). */
export function renderDeleted(report: MigrationReport): string[] {
  const n = report.totals.deletedInLegacy;
  if (n === 0) return [];
  const shown = report.deletedInLegacy.slice(0, DELETED_SHOWN);
  const out = [
    `${n} row(s) deleted in legacy since an earlier run: MDW kept what it made of them${report.dryRun ? '' : ', legacy_id_map marks them'} (mdw legacy-lookup <table> <id>)`,
    ...shown.map((d) => `  ${d.table} ${d.id}: ${d.disposition}${d.targetTable ? ` → ${d.targetTable} ${d.targetId}` : ''}, missing since ${d.since}`),
  ];
  if (n > shown.length) out.push(`  … and ${n - shown.length} more (all of them in the --report file)`);
  return out;
}
