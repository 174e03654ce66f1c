/**
 * The six benchmark questions answered from the legacy-shaped schema, as well as SQL can answer
 * them there (no schema change): generic-FK joins through django_content_type ids, the practice
 * of a case as COALESCE(case.practice, doctor.practice), patients reachable only through cases,
 * and the state of a case parsed from the latest state-bearing dispatch_record.text with a
 * CASE over regular expressions (the README's system texts). Plain connections, no RLS: the
 * Django app connected as the table owner and filtered in the ORM.
 */
import type pg from 'pg';

/** Regex of every state-bearing system text (README table). */
export const STATE_RE =
  '^(thank you for your case submission|your case has been received and is under review|we need additional records|records received, resuming|your treatment plan is ready for review|treatment plan approved by|your aligners are now in production|case sent to manufacturing|your order is in final quality inspection|your order has shipped|delivered on|delivery confirmed|case completed|this case has been cancelled|case cancelled)';

/** The state a state-bearing text implies (SQL expression over column `col`). */
export const stateCase = (col: string) => `CASE
    WHEN ${col} ~* '^thank you for your case submission' THEN 'planning'
    WHEN ${col} ~* '^your case has been received and is under review' THEN 'under_review'
    WHEN ${col} ~* '^we need additional records' THEN 'on_hold'
    WHEN ${col} ~* '^records received, resuming' THEN 'resumed'
    WHEN ${col} ~* '^your treatment plan is ready for review' THEN 'planning'
    WHEN ${col} ~* '^treatment plan approved by' THEN 'approved'
    WHEN ${col} ~* '^(your aligners are now in production|case sent to manufacturing)' THEN 'in_production'
    WHEN ${col} ~* '^your order is in final quality inspection' THEN 'quality_check'
    WHEN ${col} ~* '^your order has shipped' THEN 'shipped'
    WHEN ${col} ~* '^(delivered on|delivery confirmed)' THEN 'delivered'
    WHEN ${col} ~* '^case completed' THEN 'completed'
    WHEN ${col} ~* '^(this case has been cancelled|case cancelled)' THEN 'cancelled'
  END`;

export interface ContentTypes {
  case: number;
  order: number;
  patient: number;
}

/** Django caches ContentType ids per process; so do we. */
export async function loadContentTypes(pool: pg.Pool): Promise<ContentTypes> {
  const r = await pool.query(`select model, id from legacy.django_content_type where app_label = 'dispatch' and model in ('case', 'order', 'patient')`);
  const by = Object.fromEntries(r.rows.map((x: { model: string; id: number }) => [x.model, x.id]));
  return { case: Number(by.case), order: Number(by.order), patient: Number(by.patient) };
}

const CASE_PRACTICE = `(c.practice_id = $1 OR (c.practice_id IS NULL AND d.practice_id = $1))`;

export function legacyQueries(pool: pg.Pool, ct: ContentTypes) {
  return {
    /** Name/email search among the patients that have a case in the practice (patients have no practice). */
    async patientSearch(practiceId: number, q: string) {
      const like = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
      const r = await pool.query(
        `SELECT p.id, u.first_name, u.last_name, u.email, p.birthdate, p.sex
         FROM legacy.dispatch_patient p JOIN legacy.auth_user u ON u.id = p.user_id
         WHERE (u.first_name ILIKE $2 OR u.last_name ILIKE $2 OR u.email ILIKE $2 OR (u.first_name || ' ' || u.last_name) ILIKE $2)
           AND EXISTS (SELECT 1 FROM legacy.dispatch_case c LEFT JOIN legacy.dispatch_doctor d ON d.id = c.doctor_id
                       WHERE c.patient_id = p.id AND ${CASE_PRACTICE})
         ORDER BY p.id DESC LIMIT 21`,
        [practiceId, like],
      );
      return r.rows;
    },

    /** A practice's newest 50 cases with patient/doctor names, counts and the parsed state. */
    async dashboard(practiceId: number) {
      const r = await pool.query(
        `WITH page AS (
           SELECT c.id, c.patient_id, c.doctor_id, c.case_number, c.title, c.case_type, c.priority, c.created_at, c.updated_at
           FROM legacy.dispatch_case c LEFT JOIN legacy.dispatch_doctor d ON d.id = c.doctor_id
           WHERE ${CASE_PRACTICE}
           ORDER BY c.created_at DESC, c.id DESC LIMIT 50
         ), rec AS (
           SELECT r.target_id, count(*) AS message_count, max(r.created_at) AS last_message_at,
                  (array_agg(${stateCase('r.text')} ORDER BY r.created_at DESC, r.id DESC) FILTER (WHERE r.text ~* '${STATE_RE}'))[1] AS state
           FROM legacy.dispatch_record r
           WHERE r.target_type_id = $2 AND r.target_id IN (SELECT id FROM page)
           GROUP BY r.target_id
         ), fil AS (
           SELECT f.target_id, count(*) AS file_count FROM legacy.dispatch_file f
           WHERE f.target_type_id = $2 AND f.target_id IN (SELECT id FROM page) GROUP BY f.target_id
         )
         SELECT page.*, pu.first_name || ' ' || pu.last_name AS patient_name, du.first_name || ' ' || du.last_name AS doctor_name,
                coalesce(rec.message_count, 0) AS message_count, rec.last_message_at, rec.state, coalesce(fil.file_count, 0) AS file_count
         FROM page
         JOIN legacy.dispatch_patient p ON p.id = page.patient_id JOIN legacy.auth_user pu ON pu.id = p.user_id
         LEFT JOIN legacy.dispatch_doctor d ON d.id = page.doctor_id LEFT JOIN legacy.auth_user du ON du.id = d.user_id
         LEFT JOIN rec ON rec.target_id = page.id LEFT JOIN fil ON fil.target_id = page.id
         ORDER BY page.created_at DESC, page.id DESC`,
        [practiceId, ct.case],
      );
      return r.rows;
    },

    /** An order, its generic target, its items and its history (records on the order). */
    async orderHistory(orderId: number) {
      const c = await pool.connect();
      try {
        const o = (await c.query(`SELECT o.*, t.model AS target_model FROM legacy.dispatch_order o JOIN legacy.django_content_type t ON t.id = o.target_type_id WHERE o.id = $1`, [orderId])).rows[0];
        if (!o) throw new Error(`order ${orderId} not found`);
        const target =
          o.target_model === 'case'
            ? (await c.query(`SELECT id, case_number, title FROM legacy.dispatch_case WHERE id = $1`, [o.target_id])).rows[0]
            : (await c.query(`SELECT p.id, u.first_name, u.last_name FROM legacy.dispatch_patient p JOIN legacy.auth_user u ON u.id = p.user_id WHERE p.id = $1`, [o.target_id])).rows[0];
        const items = (await c.query(`SELECT i.*, p.name AS product_name FROM legacy.dispatch_orderitem i LEFT JOIN legacy.dispatch_product p ON p.id = i.product_id WHERE i.order_id = $1 ORDER BY i.id`, [orderId])).rows;
        const history = (await c.query(`SELECT r.id, r.author_id, r.text, r.created_at FROM legacy.dispatch_record r WHERE r.target_type_id = $1 AND r.target_id = $2 ORDER BY r.created_at, r.id`, [ct.order, orderId])).rows;
        return { order: o, target, items, history };
      } finally {
        c.release();
      }
    },

    /** A case with its records (messages and state texts, state parsed) and files, merged by time. */
    async caseTimeline(caseId: number) {
      const c = await pool.connect();
      try {
        const row = (
          await c.query(`SELECT c.*, coalesce(c.practice_id, d.practice_id) AS effective_practice_id FROM legacy.dispatch_case c LEFT JOIN legacy.dispatch_doctor d ON d.id = c.doctor_id WHERE c.id = $1`, [caseId])
        ).rows[0];
        if (!row) throw new Error(`case ${caseId} not found`);
        const patient = (await c.query(`SELECT p.id, u.first_name, u.last_name FROM legacy.dispatch_patient p JOIN legacy.auth_user u ON u.id = p.user_id WHERE p.id = $1`, [row.patient_id])).rows[0];
        const records = (
          await c.query(`SELECT r.id, r.author_id, r.text, r.created_at, ${stateCase('r.text')} AS implied_state FROM legacy.dispatch_record r WHERE r.target_type_id = $1 AND r.target_id = $2 ORDER BY r.created_at, r.id`, [ct.case, caseId])
        ).rows;
        const files = (await c.query(`SELECT f.id, f.uploaded_by_id, f.name, f.kind, f.created_at FROM legacy.dispatch_file f WHERE f.target_type_id = $1 AND f.target_id = $2 ORDER BY f.created_at, f.id`, [ct.case, caseId])).rows;
        const timeline = [
          ...records.map((r: { created_at: Date }) => ({ kind: 'record', t: r.created_at.getTime(), ...r })),
          ...files.map((f: { created_at: Date }) => ({ kind: 'file', t: f.created_at.getTime(), ...f })),
        ].sort((a, b) => a.t - b.t);
        const state = [...records].reverse().find((r: { implied_state: string | null }) => r.implied_state)?.implied_state ?? null;
        return { case: row, patient, state, timeline };
      } finally {
        c.release();
      }
    },

    /** Open cases of the doctor's practice whose parsed latest state awaits a doctor. */
    async taskInbox(userId: number, states: string[]) {
      const r = await pool.query(
        `WITH mine AS (SELECT practice_id FROM legacy.dispatch_doctor WHERE user_id = $1 AND practice_id IS NOT NULL),
         cs AS (
           SELECT c.id, c.case_number, c.title, c.priority, c.created_at
           FROM legacy.dispatch_case c LEFT JOIN legacy.dispatch_doctor d ON d.id = c.doctor_id
           WHERE c.practice_id IN (SELECT practice_id FROM mine) OR (c.practice_id IS NULL AND d.practice_id IN (SELECT practice_id FROM mine))
         ), st AS (
           SELECT DISTINCT ON (r.target_id) r.target_id, ${stateCase('r.text')} AS state
           FROM legacy.dispatch_record r JOIN cs ON cs.id = r.target_id
           WHERE r.target_type_id = $2 AND r.text ~* '${STATE_RE}'
           ORDER BY r.target_id, r.created_at DESC, r.id DESC
         )
         SELECT cs.*, st.state FROM cs JOIN st ON st.target_id = cs.id
         WHERE st.state = ANY ($3)
         ORDER BY cs.priority DESC, cs.created_at LIMIT 50`,
        [userId, ct.case, states],
      );
      return r.rows;
    },

    /**
     * A doctor's decision on a case's plan: read the parsed state, then approve (planning) or
     * send back to planning (anything else), as a new system-style record + case.updated_at.
     */
    async decision(caseId: number, userId: number, doctorName: string) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`SELECT id FROM legacy.dispatch_case WHERE id = $1 FOR UPDATE`, [caseId]);
        const cur = (
          await c.query(`SELECT ${stateCase('r.text')} AS state FROM legacy.dispatch_record r WHERE r.target_type_id = $1 AND r.target_id = $2 AND r.text ~* '${STATE_RE}' ORDER BY r.created_at DESC, r.id DESC LIMIT 1`, [ct.case, caseId])
        ).rows[0]?.state;
        const text = cur === 'planning' ? `Treatment plan approved by Dr. ${doctorName}.` : 'Your treatment plan is ready for review. Please approve or request changes.';
        await c.query(`INSERT INTO legacy.dispatch_record (target_type_id, target_id, author_id, text, created_at) VALUES ($1, $2, $3, $4, localtimestamp)`, [ct.case, caseId, userId, text]);
        await c.query(`UPDATE legacy.dispatch_case SET updated_at = localtimestamp WHERE id = $1`, [caseId]);
        await c.query('COMMIT');
        return { from: cur, to: cur === 'planning' ? 'approved' : 'planning' };
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
  };
}

export type LegacyQueries = ReturnType<typeof legacyQueries>;
