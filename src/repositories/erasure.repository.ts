/**
 * Right to erasure (issue 12 §3): refusals (legal hold, a case in production, the practice's
 * retention period), erasure requests, legal holds, and the scrub itself: one transaction that
 * anonymises the patient's rows, deletes file rows and embeddings, scrubs the patient's name from
 * the practice's other texts, redacts the audit log and issues the certificate. Storage objects
 * and Temporal histories are removed by the workflow's earlier steps (src/activities/erasure.activities.ts).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';

type Handle = Db | Tx;

/** States in which the lab is making, checking or shipping the patient's appliance. */
export const PRODUCTION_STATES = ['in_production', 'quality_check', 'shipped'] as const;

export const REFUSAL_CODES = ['legal_hold', 'case_in_production', 'retention_period'] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface ErasureRefusal {
  code: RefusalCode;
  reason: string;
  details: Array<Record<string, unknown>>;
}

/** The placeholder every erased patient row points to instead of their profile. */
export const ERASED_DOMAIN = 'erased.invalid';
export const ERASED_TEXT = '[erased]';
export const ERASED_MENTION = '[erased patient]';

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

/**
 * Why this patient may not be erased now, or null. Checked in this order: a legal hold in force,
 * a case (or order) in production, the practice's retention period for clinical records (from the
 * last treatment, or from the 18th birthday if later; a patient without cases has no clinical
 * record to retain). Works as the caller under RLS (owner) and on the system handle.
 */
export async function erasureRefusal(db: Handle, patientId: string): Promise<ErasureRefusal | null> {
  const hold = await db
    .selectFrom('legal_holds')
    .select(['id', 'placed_at'])
    .where('patient_id', '=', patientId)
    .where('lifted_at', 'is', null)
    .orderBy('placed_at')
    .executeTakeFirst();
  if (hold) {
    return {
      code: 'legal_hold',
      reason: `The patient is under a legal hold placed on ${day(hold.placed_at)}; the owner or an admin must lift it before the patient can be erased.`,
      details: [{ field: 'legalHold', message: 'a legal hold is in force', holdId: hold.id }],
    };
  }
  const production = await sql<{ case_number: string; state: string }>`
    SELECT c.case_number, c.current_state::text AS state
      FROM cases c
     WHERE c.patient_id = ${patientId}
       AND (c.current_state::text IN (${sql.join([...PRODUCTION_STATES])})
            OR (c.current_state = 'on_hold' AND (SELECT s.from_state::text FROM case_states s WHERE s.case_id = c.id AND s.to_state = 'on_hold'
                                                   ORDER BY s.created_at DESC LIMIT 1) IN (${sql.join([...PRODUCTION_STATES])}))
            OR EXISTS (SELECT 1 FROM orders o WHERE o.case_id = c.id AND o.current_state::text IN (${sql.join([...PRODUCTION_STATES])})))
     ORDER BY c.case_number`.execute(db);
  if (production.rows.length) {
    const numbers = production.rows.map((r) => r.case_number);
    return {
      code: 'case_in_production',
      reason: `Case ${numbers.join(', ')} is in production at the lab; a patient can be erased once their appliance is delivered or the case is cancelled.`,
      details: production.rows.map((r) => ({ field: 'caseNumber', message: `case is ${r.state}`, caseNumber: r.case_number, state: r.state })),
    };
  }
  const retention = await sql<{ years: number; until: Date | null }>`
    SELECT pr.clinical_retention_years AS years,
           greatest(la.at, (p.date_of_birth + interval '18 years')::timestamptz) + make_interval(years => pr.clinical_retention_years) AS until
      FROM patients p
      JOIN practices pr ON pr.id = p.practice_id
      CROSS JOIN LATERAL (SELECT max(coalesce(c.closed_at, now())) AS at FROM cases c WHERE c.patient_id = p.id) la
     WHERE p.id = ${patientId} AND la.at IS NOT NULL`.execute(db);
  const r = retention.rows[0];
  if (r?.until && new Date(r.until).getTime() > Date.now()) {
    return {
      code: 'retention_period',
      reason: `The practice keeps clinical records ${r.years} years after the last treatment; this patient's records must be kept until ${day(r.until)}.`,
      details: [{ field: 'clinicalRetentionYears', message: `records are retained until ${day(r.until)}`, retainedUntil: day(r.until), years: r.years }],
    };
  }
  return null;
}

/** The erasure workflow's id: one per patient, so starts are idempotent and a re-run reuses it. */
export function erasureWorkflowId(practiceId: string, patientId: string): string {
  return `erasure-${practiceId}-${patientId}`;
}

export type ErasureStatus = 'pending' | 'running' | 'completed' | 'refused';

export async function openErasure(db: Handle, patientId: string) {
  return db.selectFrom('patient_erasures').selectAll().where('patient_id', '=', patientId).where('status', 'in', ['pending', 'running']).executeTakeFirst();
}

export async function getErasure(db: Handle, erasureId: string) {
  return db.selectFrom('patient_erasures').selectAll().where('id', '=', erasureId).executeTakeFirst();
}

export async function getCertificate(db: Handle, erasureId: string) {
  return db.selectFrom('erasure_certificates').selectAll().where('erasure_id', '=', erasureId).executeTakeFirst();
}

/** Inserts a pending request (RLS: only the practice's owner, in their own name). */
export async function insertErasure(db: Handle, e: { patientId: string; practiceId: string; requestedBy: string }) {
  return db
    .insertInto('patient_erasures')
    .values({ patient_id: e.patientId, practice_id: e.practiceId, requested_by: e.requestedBy, workflow_id: erasureWorkflowId(e.practiceId, e.patientId) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The workflow's first step: checks the refusals again under a lock on the patient (a hold placed
 * between the request and the run still counts), then marks the request running or refused.
 */
export async function beginErasure(db: Db, erasureId: string): Promise<{ status: ErasureStatus; refusal: ErasureRefusal | null }> {
  return db.transaction().execute(async (trx) => {
    const e = await trx.selectFrom('patient_erasures').selectAll().where('id', '=', erasureId).forUpdate().executeTakeFirstOrThrow();
    if (e.status !== 'pending') return { status: e.status as ErasureStatus, refusal: e.refusal_code ? { code: e.refusal_code as RefusalCode, reason: e.refusal_reason ?? '', details: [] } : null };
    await trx.selectFrom('patients').select('id').where('id', '=', e.patient_id).forUpdate().execute();
    const refusal = await erasureRefusal(trx, e.patient_id);
    await trx
      .updateTable('patient_erasures')
      .set(refusal ? { status: 'refused', refusal_code: refusal.code, refusal_reason: refusal.reason, completed_at: sql`now()` } : { status: 'running', started_at: sql`now()` })
      .where('id', '=', erasureId)
      .execute();
    return { status: refusal ? 'refused' : 'running', refusal };
  });
}

/** Adds `n` to a progress counter (re-runs after a crash add what they did; the sum is the total). */
export async function addProgress(db: Handle, erasureId: string, counters: Record<string, number>): Promise<void> {
  for (const [key, n] of Object.entries(counters)) {
    await sql`UPDATE patient_erasures SET progress = jsonb_set(progress, ${sql.lit(`{${key}}`)}::text[], to_jsonb(coalesce((progress ->> ${key})::bigint, 0) + ${n}::bigint))
               WHERE id = ${erasureId}`.execute(db);
  }
}

/** What the storage step deletes: the folders of each of the patient's cases, and every key a row names outside them. */
export async function storageTargets(db: Handle, patientId: string): Promise<{ prefixes: string[]; keys: string[] }> {
  const cases = await db.selectFrom('cases').select(['id', 'practice_id']).where('patient_id', '=', patientId).execute();
  if (!cases.length) return { prefixes: [], keys: [] };
  const caseIds = cases.map((c) => c.id);
  const files = await db.selectFrom('case_files').select('storage_path').where('case_id', 'in', caseIds).execute();
  const projects = await db.selectFrom('projects').select('storage_path').where('case_id', 'in', caseIds).where('storage_path', 'is not', null).execute();
  // Case files live under `<practice>/<case>/`, project versions under `projects/<practice>/<case>/`.
  const prefixes = cases.flatMap((c) => [`${c.practice_id}/${c.id}/`, `projects/${c.practice_id}/${c.id}/`]);
  const keys = [...files.map((f) => f.storage_path), ...projects.map((p) => p.storage_path!)].filter((k) => !prefixes.some((p) => k.startsWith(p)));
  return { prefixes, keys: [...new Set(keys)] };
}

/** The Temporal workflow ids of the patient's cases. */
export async function caseWorkflowIds(db: Handle, patientId: string): Promise<string[]> {
  const rows = await db.selectFrom('cases').select('workflow_id').where('patient_id', '=', patientId).where('workflow_id', 'is not', null).execute();
  return rows.map((r) => r.workflow_id!);
}

/** A PostgreSQL regular expression matching `s` literally. */
function literal(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * How other texts quote the patient: "First Last", "Last, First", their email addresses and
 * patient number (whole words, case-insensitive). Null when there is nothing distinctive.
 */
export function mentionPattern(p: { firstName: string; lastName: string; emails: Array<string | null>; patientNumber: string | null }): string | null {
  const parts: string[] = [];
  const first = p.firstName.trim();
  const last = p.lastName.trim();
  if (first && last) {
    parts.push(`${literal(first)}\\s+${literal(last)}`, `${literal(last)},\\s*${literal(first)}`);
  }
  for (const e of p.emails) if (e && e.includes('@')) parts.push(literal(e.trim()));
  if (p.patientNumber && p.patientNumber.length >= 4) parts.push(literal(p.patientNumber));
  return parts.length ? `\\y(${parts.join('|')})\\y` : null;
}

export interface ScrubCounts {
  patients: number;
  profiles: number;
  cases: number;
  casesCancelled: number;
  messages: number;
  stateReasons: number;
  orders: number;
  files: number;
  projects: number;
  embeddings: number;
  embeddingQueue: number;
  consentNotes: number;
  matchReviews: number;
  idempotentResponses: number;
  mentionsScrubbed: number;
  auditEntriesRedacted: number;
}

type Affected = { numAffectedRows?: bigint; numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined;
/** Rows a statement changed, whichever result shape it has (raw sql, update or delete builder). */
const n = (r: Affected | Affected[]) => (Array.isArray(r) ? r : [r]).reduce((a, x) => a + Number(x?.numAffectedRows ?? x?.numUpdatedRows ?? x?.numDeletedRows ?? 0n), 0);

/**
 * Erases the patient's data from the database in one transaction and issues the certificate; the
 * request becomes `completed`. Running it again (a worker died after the commit, or a re-run)
 * finds nothing left to change and issues nothing twice.
 * @param db - the system handle (the audit redaction is the owner's only)
 */
export async function scrubAndCertify(db: Db, erasureId: string): Promise<ScrubCounts | null> {
  return db.transaction().execute(async (trx) => {
    const e = await trx.selectFrom('patient_erasures').selectAll().where('id', '=', erasureId).forUpdate().executeTakeFirstOrThrow();
    if (e.status !== 'running') return null;
    const P = e.patient_id;
    const PR = e.practice_id;
    const patient = await trx
      .selectFrom('patients as p')
      .innerJoin('profiles as pf', 'pf.id', 'p.profile_id')
      .select(['p.id', 'p.profile_id', 'p.patient_number', 'p.contact_email', 'pf.first_name', 'pf.last_name', 'pf.email'])
      .where('p.id', '=', P)
      .where('p.practice_id', '=', PR)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const placeholderEmail = `erased-${P}@${ERASED_DOMAIN}`;
    const alreadyErased = patient.email === placeholderEmail;
    const pattern = alreadyErased
      ? null
      : mentionPattern({ firstName: patient.first_name, lastName: patient.last_name, emails: [patient.email, patient.contact_email], patientNumber: patient.patient_number });

    const cases = await trx.selectFrom('cases').select(['id', 'current_state', 'closed_at']).where('patient_id', '=', P).execute();
    const caseIds = cases.map((c) => c.id);
    const ids = async <T extends { id: string }>(q: Promise<T[]>) => (await q).map((r) => r.id);
    const none = ['00000000-0000-0000-0000-000000000000'];
    const inCases = caseIds.length ? caseIds : none;
    const messageIds = await ids(trx.selectFrom('case_messages').select('id').where('case_id', 'in', inCases).execute());
    const projectIds = await ids(trx.selectFrom('projects').select('id').where('case_id', 'in', inCases).execute());
    const orderIds = await ids(trx.selectFrom('orders').select('id').where('case_id', 'in', inCases).execute());
    const matchIds = await ids(
      trx
        .selectFrom('patient_match_reviews')
        .select('id')
        .where((w) => w.or([w('patient_a_id', '=', P), w('patient_b_id', '=', P), w('survivor_patient_id', '=', P), w('merged_patient_id', '=', P)]))
        .execute(),
    );
    const inMessages = messageIds.length ? messageIds : none;
    const inProjects = projectIds.length ? projectIds : none;
    const inOrders = orderIds.length ? orderIds : none;

    const c: ScrubCounts = {
      patients: 0, profiles: 0, cases: 0, casesCancelled: 0, messages: 0, stateReasons: 0, orders: 0, files: 0, projects: 0,
      embeddings: 0, embeddingQueue: 0, consentNotes: 0, matchReviews: 0, idempotentResponses: 0, mentionsScrubbed: 0, auditEntriesRedacted: 0,
    };

    // Texts elsewhere in the practice that quote the patient (before their names are gone).
    const otherRows: string[] = [];
    if (pattern) {
      const msgs = await sql<{ id: string }>`
        UPDATE case_messages SET content = regexp_replace(content, ${pattern}, ${ERASED_MENTION}, 'gi'),
                                 subject = regexp_replace(subject, ${pattern}, ${ERASED_MENTION}, 'gi')
         WHERE practice_id = ${PR} AND case_id <> ALL (${inCases}::uuid[]) AND (content ~* ${pattern} OR subject ~* ${pattern})
        RETURNING id`.execute(trx);
      const kases = await sql<{ id: string }>`
        UPDATE cases SET title = regexp_replace(title, ${pattern}, ${ERASED_MENTION}, 'gi'),
                         description = regexp_replace(description, ${pattern}, ${ERASED_MENTION}, 'gi')
         WHERE practice_id = ${PR} AND patient_id <> ${P} AND (title ~* ${pattern} OR description ~* ${pattern})
        RETURNING id`.execute(trx);
      otherRows.push(...msgs.rows.map((r) => r.id), ...kases.rows.map((r) => r.id));
      c.mentionsScrubbed = otherRows.length;
      // Their vectors embedded the old text; the queue (filled by the update triggers) re-embeds them.
      if (msgs.rows.length) c.embeddings += n(await trx.deleteFrom('message_embeddings').where('message_id', 'in', msgs.rows.map((r) => r.id)).executeTakeFirst());
      if (kases.rows.length) c.embeddings += n(await trx.deleteFrom('case_embeddings').where('case_id', 'in', kases.rows.map((r) => r.id)).executeTakeFirst());
    }

    // The patient row points to a placeholder profile of its own; the real profile is anonymised
    // unless another practice's patient record or a membership still uses it (that is theirs).
    let placeholder = await trx.selectFrom('profiles').select('id').where('email', '=', placeholderEmail).executeTakeFirst();
    if (!placeholder) {
      const user = await trx.insertInto('auth.users').values({ email: placeholderEmail }).returning('id').executeTakeFirstOrThrow();
      placeholder = await trx.insertInto('profiles').values({ id: user.id, email: placeholderEmail, first_name: 'Erased', last_name: 'patient' }).returning('id').executeTakeFirstOrThrow();
    }
    c.patients = n(
      await sql`UPDATE patients SET profile_id = ${placeholder.id}, patient_number = ${`ERASED-${P}`}, date_of_birth = NULL, gender = NULL,
                       medical_history = '{}', preferences = '{}', emergency_contact = NULL, clinical_summary = NULL, contact_email = NULL
                 WHERE id = ${P} AND (profile_id, patient_number, date_of_birth, gender, medical_history, preferences, emergency_contact, clinical_summary, contact_email)
                       IS DISTINCT FROM (${placeholder.id}::uuid, ${`ERASED-${P}`}, NULL::date, NULL::gender_type, '{}'::jsonb, '{}'::jsonb, NULL::jsonb, NULL::text, NULL::text)`.execute(trx),
    );
    const oldProfile = patient.profile_id;
    let profileErased = false;
    if (oldProfile !== placeholder.id) {
      const used = await sql<{ used: boolean }>`
        SELECT EXISTS (SELECT 1 FROM patients WHERE profile_id = ${oldProfile}) OR EXISTS (SELECT 1 FROM practice_members WHERE profile_id = ${oldProfile})
            OR EXISTS (SELECT 1 FROM lab_staff WHERE profile_id = ${oldProfile}) OR EXISTS (SELECT 1 FROM practitioners WHERE profile_id = ${oldProfile}) AS used`.execute(trx);
      if (!used.rows[0]!.used) {
        const email = `erased-profile-${oldProfile}@${ERASED_DOMAIN}`;
        c.profiles = n(await trx.updateTable('profiles').set({ first_name: 'Erased', last_name: 'patient', email, phone: null, avatar_url: null }).where('id', '=', oldProfile).where('email', '<>', email).executeTakeFirst());
        await trx.updateTable('auth.users').set({ email, raw_user_meta_data: '{}', raw_app_meta_data: '{}' }).where('id', '=', oldProfile).execute();
        await trx.deleteFrom('refresh_tokens').where('profile_id', '=', oldProfile).execute();
        await trx.deleteFrom('user_credentials').where('profile_id', '=', oldProfile).execute();
        profileErased = true;
      }
    }

    if (caseIds.length) {
      // Open cases end: their workflows were terminated and deleted by the previous step.
      const open = cases.filter((k) => !k.closed_at);
      for (const k of open) {
        await trx
          .insertInto('case_states')
          .values({ case_id: k.id, practice_id: PR, from_state: k.current_state, to_state: 'cancelled', changed_by: e.requested_by, reason: 'patient erased', idempotency_key: `erasure-${erasureId}-${k.id}` })
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .execute();
      }
      if (open.length) {
        c.casesCancelled = n(await trx.updateTable('cases').set({ current_state: 'cancelled', closed_at: sql`now()` }).where('id', 'in', open.map((k) => k.id)).executeTakeFirst());
        await trx.deleteFrom('awaiting_tasks').where('case_id', 'in', open.map((k) => k.id)).execute();
      }
      c.cases = n(
        await sql`UPDATE cases SET title = 'Erased case', description = NULL, metadata = '{}', start_request = NULL
                   WHERE id = ANY (${caseIds}::uuid[]) AND (title <> 'Erased case' OR description IS NOT NULL OR metadata <> '{}' OR start_request IS NOT NULL)`.execute(trx),
      );
      c.messages = n(
        await sql`UPDATE case_messages SET content = ${ERASED_TEXT}, subject = NULL, attachments = '[]', metadata = '{}'
                   WHERE case_id = ANY (${caseIds}::uuid[]) AND (content <> ${ERASED_TEXT} OR subject IS NOT NULL OR attachments <> '[]' OR metadata <> '{}')`.execute(trx),
      );
      c.stateReasons =
        n(await sql`UPDATE case_states SET reason = NULL, metadata = '{}' WHERE case_id = ANY (${caseIds}::uuid[]) AND (idempotency_key IS NULL OR idempotency_key NOT LIKE 'erasure-%') AND (reason IS NOT NULL OR metadata <> '{}')`.execute(trx)) +
        n(await sql`UPDATE order_states SET reason = NULL, metadata = '{}' WHERE order_id = ANY (${inOrders}::uuid[]) AND (reason IS NOT NULL OR metadata <> '{}')`.execute(trx)) +
        n(await sql`UPDATE instruction_states SET notes = NULL, metadata = '{}' WHERE case_id = ANY (${caseIds}::uuid[]) AND (notes IS NOT NULL OR metadata <> '{}')`.execute(trx));
      c.orders = n(await sql`UPDATE orders SET notes = NULL, metadata = '{}' WHERE id = ANY (${inOrders}::uuid[]) AND (notes IS NOT NULL OR metadata <> '{}')`.execute(trx));
      await sql`UPDATE intent_proposals SET evidence = '[]' WHERE case_id = ANY (${caseIds}::uuid[]) AND evidence <> '[]'`.execute(trx);
      // The objects went in the storage step; the rows name files that no longer exist.
      c.files = n(await trx.deleteFrom('case_files').where('case_id', 'in', caseIds).executeTakeFirst());
      c.projects = n(
        await sql`UPDATE projects SET name = 'Erased project', metadata = '{}', storage_path = NULL, file_name = NULL
                   WHERE id = ANY (${inProjects}::uuid[]) AND (name <> 'Erased project' OR metadata <> '{}' OR storage_path IS NOT NULL OR file_name IS NOT NULL)`.execute(trx),
      );
    }
    c.consentNotes = n(await trx.updateTable('patient_consents').set({ note: null }).where('patient_id', '=', P).where('note', 'is not', null).executeTakeFirst());
    c.matchReviews = n(
      matchIds.length ? await sql`UPDATE patient_match_reviews SET evidence = '[]', note = NULL WHERE id = ANY (${matchIds}::uuid[]) AND (evidence <> '[]' OR note IS NOT NULL)`.execute(trx) : [],
    );

    // Embeddings and their queue, last: the updates above queued the texts again. Withdrawing the
    // AI-processing consent (0030) makes the pipeline skip the patient from now on, and its lock
    // serialises with a batch in flight, which re-checks the consent before it writes.
    c.embeddings +=
      n(await trx.deleteFrom('patient_embeddings').where('patient_id', '=', P).executeTakeFirst()) +
      n(await trx.deleteFrom('case_embeddings').where('case_id', 'in', inCases).executeTakeFirst()) +
      n(await trx.deleteFrom('message_embeddings').where('message_id', 'in', inMessages).executeTakeFirst()) +
      n(await trx.deleteFrom('project_embeddings').where('project_id', 'in', inProjects).executeTakeFirst());
    const allowed = await sql<{ ok: boolean }>`SELECT public.ai_processing_allowed(${P}::uuid) AS ok`.execute(trx);
    if (allowed.rows[0]!.ok) {
      await sql`INSERT INTO patient_consents (patient_id, practice_id, kind, granted, version, recorded_by, note)
                VALUES (${P}, ${PR}, 'ai_processing', false, 1, ${e.requested_by}, 'withdrawn by erasure')`.execute(trx);
    }
    c.embeddingQueue = n(
      await sql`DELETE FROM embedding_queue WHERE (kind = 'patient' AND source_id = ${P}) OR (kind = 'case' AND source_id = ANY (${inCases}::uuid[]))
                   OR (kind = 'message' AND source_id = ANY (${inMessages}::uuid[])) OR (kind = 'project' AND source_id = ANY (${inProjects}::uuid[]))`.execute(trx),
    );

    // Stored API answers (Idempotency-Key replays) that carried the patient's or a case's data.
    const needles = [P, ...caseIds, ...messageIds].map((id) => `%${id}%`);
    c.idempotentResponses = n(await sql`DELETE FROM idempotency_keys WHERE response::text LIKE ANY (${needles}::text[])`.execute(trx));

    // The audit keeps each event without the PHI (0050's redaction, 0052's functions).
    const rowIds = [P, ...(profileErased ? [oldProfile] : []), ...caseIds, ...messageIds, ...projectIds, ...orderIds, ...matchIds];
    const redacted = await sql<{ n: number }>`SELECT public.erasure_redact_audit(${PR}::uuid, ${rowIds}::text[]) AS n`.execute(trx);
    const mentions = await sql<{ n: number }>`SELECT public.erasure_scrub_audit_mentions(${PR}::uuid, ${otherRows}::text[], ${pattern}) AS n`.execute(trx);
    c.auditEntriesRedacted = Number(redacted.rows[0]!.n) + Number(mentions.rows[0]!.n);

    // The dashboard is a materialized view: it would show the name until its next refresh.
    await sql`SELECT public.refresh_case_dashboard()`.execute(trx);

    const progress = (e.progress ?? {}) as Record<string, number>;
    await trx
      .insertInto('erasure_certificates')
      .values({
        erasure_id: erasureId,
        patient_id: P,
        practice_id: PR,
        requested_by: e.requested_by,
        requested_at: e.requested_at,
        completed_at: sql`now()`,
        erased: JSON.stringify({
          ...c,
          storageObjects: Number(progress.storageObjects ?? 0),
          temporalExecutions: Number(progress.temporalExecutions ?? 0),
        }),
        retained: JSON.stringify(RETAINED),
      })
      .onConflict((oc) => oc.column('erasure_id').doNothing())
      .execute();
    await trx.updateTable('patient_erasures').set({ status: 'completed', completed_at: sql`now()`, progress: JSON.stringify({ ...progress, database: c }) }).where('id', '=', erasureId).execute();
    return c;
  });
}

/** What an erasure keeps, and why: stated on every certificate. */
export const RETAINED = [
  'Row ids, states and times of the patient, cases, orders and their state histories, without any text (analytics and the lab\'s order records keep their facts).',
  'The audit log: every event with who, when and which columns; values of personal data replaced by "[erased]".',
  'The PHI access log: who read the record and when (ids only; HIPAA accounting of disclosures).',
  'Legal holds (placed and lifted), consent records without notes, this certificate.',
];
