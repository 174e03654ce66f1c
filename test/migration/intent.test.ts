/**
 * Free staff text through the intent classifier (the lexical encoder: the default pair's weights-
 * free half, as the API suites use it), on the fixture plus three staff notes on case 209. Every
 * outcome below is written by hand: what the classifier applies (above its threshold), what it
 * leaves as "not understood", and how a classified transition is recorded.
 */
import { createMigrationClassifier, type BatchIntentClassifier } from '../../src/migration/intent';
import type { MigrationReport } from '../../src/migration/report';
import { legacyDb, query, run, targetDb } from './support';

describe('legacy migration with the intent classifier', () => {
  let legacy: string;
  let target: string;
  let first: MigrationReport;
  const calls = { factory: 0, batches: [] as string[][] };

  beforeAll(async () => {
    legacy = await legacyDb();
    target = await targetDb();
    // Case 209 ("initial consult", submitted, no records yet) gets three staff notes.
    await query(
      legacy,
      `INSERT INTO dispatch_record (id, target_type_id, target_id, author_id, text, created_at)
       SELECT v.id, ct.id, 209, 2, v.text, v.at::timestamp FROM django_content_type ct,
         (VALUES (1100, 'doctor approved the setup', '2024-02-16 09:00:00'),
                 (1101, 'can we approve this?', '2024-02-16 10:00:00'),
                 (1102, 'put case on hold, patient traveling', '2024-02-17 09:00:00')) v(id, text, at)
       WHERE ct.app_label = 'dispatch' AND ct.model = 'case'`,
    );
    const real = await createMigrationClassifier(null);
    const counting: BatchIntentClassifier = {
      model: real.model,
      threshold: real.threshold,
      classify: (t) => real.classify(t),
      classifyMany: (texts) => {
        calls.batches.push([...texts]);
        return real.classifyMany(texts);
      },
    };
    first = await run(legacy, target, {
      classifier: async () => {
        calls.factory += 1;
        return counting;
      },
    });
  }, 120_000);

  const history = async (legacyCase: number) =>
    query<{ to: string; at: string; reason: string; metadata: Record<string, unknown> }>(
      target,
      `select s.to_state::text as to, to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as at, s.reason, s.metadata
       from case_states s join cases c on c.id = s.case_id where c.metadata->'legacy'->>'case_id' = $1 order by s.created_at, s.id`,
      [String(legacyCase)],
    );

  test('the classifier is built once and sees the free texts of the run in one batch, never the system texts', () => {
    expect(calls.factory).toBe(1);
    expect(calls.batches).toHaveLength(1);
    expect([...calls.batches[0]!].sort()).toEqual(
      ['can we approve this?', 'doctor approved the setup', 'plan looks good, approved, send to mfg', 'pt moved, hold until further notice', 'put case on hold, patient traveling'].sort(),
    );
  });

  test('counts: above the threshold classified, below it (or declined by a guard) not understood', () => {
    expect(first.states).toMatchObject({ classified: 3, notUnderstood: 2, belowThreshold: 2, classifier: { model: 'mdw-lexical-tfidf-4096', threshold: 0.95 } });
    expect(first.states.notUnderstoodExamples.map((e) => e.id).sort()).toEqual([1100, 1101]);
    expect(first.ok).toBe(true);
  });

  test('a classified text moves the case, and the transition says so: model, confidence, legacy id', async () => {
    // Case 200: the 03:30 CDT note "plan looks good, approved, send to mfg" now approves the plan
    // (under review → approved); the later approval request and approval change nothing.
    const h = await history(200);
    expect(h.map((x) => `${x.to}@${x.at}`)).toEqual([
      'submitted@2024-03-08T15:00',
      'planning@2024-03-08T15:05',
      'under_review@2024-03-10T07:30',
      'approved@2024-03-10T08:30',
      'in_production@2024-03-13T15:00',
      'quality_check@2024-03-15T15:00',
      'shipped@2024-03-16T15:00',
      'delivered@2024-03-20T20:00',
      'completed@2024-03-21T15:00',
    ]);
    const approved = h.find((x) => x.to === 'approved')!;
    expect(approved.metadata).toEqual({ legacy_record_id: 1002, classified: { model: 'mdw-lexical-tfidf-4096', confidence: 1, legacy_record_id: 1002 } });
    expect(approved.reason).toBe('legacy free text classified as approved (mdw-lexical-tfidf-4096, confidence 1)');
    // System-text transitions carry no classification.
    expect(h.find((x) => x.to === 'in_production')!.metadata).toEqual({ legacy_record_id: 1005 });
    // Case 209: the two texts below the threshold change nothing; the hold note puts it on hold.
    expect((await history(209)).map((x) => `${x.to}@${x.at}`)).toEqual(['submitted@2024-02-15T15:00', 'on_hold@2024-02-17T15:00']);
    const current = await query<{ state: string; position: { resume_state: string } }>(target, `select current_state::text as state, metadata->'legacy_position' as position from cases where metadata->'legacy'->>'case_id' = '209'`);
    expect(current).toEqual([{ state: 'on_hold', position: expect.objectContaining({ resume_state: 'submitted' }) }]);
    // Case 204: "pt moved, hold until further notice" is classified on_hold while already on hold: no second transition.
    expect((await history(204)).map((x) => x.to)).toEqual(['submitted', 'planning', 'approved', 'in_production', 'on_hold', 'in_production']);
  });

  test('what stays below the threshold is reported as not understood, with the classifier’s best guess', async () => {
    const rows = await query<{ id: string; reason: string | null }>(target, `select legacy_id as id, reason from legacy_id_map where legacy_table = 'dispatch_record' and legacy_id in ('1002', '1020', '1100', '1101', '1102') order by 1`);
    const reason = Object.fromEntries(rows.map((r) => [r.id, r.reason]));
    expect(reason['1002']).toBeNull();
    expect(reason['1020']).toBeNull();
    expect(reason['1102']).toBeNull();
    expect(reason['1100']).toMatch(/^free text, not understood \(classifier mdw-lexical-tfidf-4096 .*gate: approved share 0\.\d+ below threshold 0\.95\): no state inferred/);
    expect(reason['1101']).toMatch(/^free text, not understood .*guard: question/);
    // Kept as ordinary messages, with the classification beside them.
    const msgs = await query<{ id: string; type: string; intent: string | null; model: string | null }>(
      target,
      `select metadata->>'legacy_record_id' as id, message_type::text as type, metadata->>'intent' as intent, metadata->>'intent_model' as model
       from case_messages where metadata->>'legacy_record_id' in ('1100', '1102') order by 1`,
    );
    expect(msgs).toEqual([
      { id: '1100', type: 'general', intent: null, model: 'mdw-lexical-tfidf-4096' },
      { id: '1102', type: 'general', intent: 'on_hold', model: 'mdw-lexical-tfidf-4096' },
    ]);
  });

  test('a no-change re-run does not build the classifier', async () => {
    let built = 0;
    const again = await run(legacy, target, {
      classifier: async () => {
        built += 1;
        return createMigrationClassifier(null);
      },
    });
    expect(again.totals).toMatchObject({ new: 0, changed: 0 });
    expect(built).toBe(0);
    expect((await history(209)).map((x) => x.to)).toEqual(['submitted', 'on_hold']);
  });
});
