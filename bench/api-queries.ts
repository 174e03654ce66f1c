/**
 * The six benchmark questions on the NEW schema, as a signed-in member under RLS (asActor: one
 * transaction as `authenticated` with request.jwt.claims set). The reads are the statements the
 * API's routes run (src/api/routes: patients, dashboard, orders/:id, cases/:id timeline,
 * tasks/inbox); the decision is a SQL stand-in because the API answers it through a Temporal
 * workflow update, which seeded cases do not have (the HTTP level measures the real one).
 */
import { sql } from 'kysely';
import type { Database } from '../src/db/database';

export function newQueries(db: Database) {
  return {
    /** GET /patients?practiceId=&q= (the route's query: ids from search_patient_ids(), rows under RLS). */
    patientSearch(actor: string, practiceId: string, q: string) {
      return db.asActor({ sub: actor }, async (trx) => {
        const r = await sql`
          SELECT pt.id, pt.practice_id, pt.profile_id, pt.patient_number, p.first_name, p.last_name, p.full_name, p.email, p.phone,
                 to_char(pt.date_of_birth, 'YYYY-MM-DD') AS dob, pt.gender, pt.medical_history, pt.preferences, pt.emergency_contact,
                 pt.created_at, pt.updated_at, pt.created_at::text AS created_at_text
          FROM patients pt JOIN profiles p ON p.id = pt.profile_id
          WHERE pt.practice_id = ${practiceId}
            AND pt.id IN (SELECT s.id FROM search_patient_ids(${q}, ${practiceId}::uuid, 21, NULL, NULL) s)
          ORDER BY pt.created_at DESC, pt.id DESC LIMIT 21`.execute(trx);
        return r.rows;
      });
    },

    /** GET /dashboard?practiceId= (case_dashboard_page(), newest 50). */
    dashboard(actor: string, practiceId: string) {
      return db.asActor({ sub: actor }, async (trx) => {
        const r = await sql`SELECT d.*, d.created_at::text AS created_at_text FROM case_dashboard_page(${practiceId}::uuid, 51, NULL, NULL, NULL, NULL) d`.execute(trx);
        return r.rows;
      });
    },

    /** GET /orders/:id (order, items with product names, state history). */
    orderHistory(actor: string, orderId: string) {
      return db.asActor({ sub: actor }, async (trx) => {
        const o = (await sql`SELECT o.*, o.created_at::text AS created_at_text FROM orders o WHERE o.id = ${orderId}`.execute(trx)).rows[0];
        if (!o) throw new Error(`order ${orderId} not visible`);
        const items = (
          await sql`SELECT i.id, i.product_id, p.name, i.quantity, i.unit_price, i.total_price, i.customizations
                    FROM order_items i LEFT JOIN products p ON p.id = i.product_id
                    WHERE i.order_id = ${orderId} ORDER BY i.created_at, i.id`.execute(trx)
        ).rows;
        const history = (await sql`SELECT from_state, to_state, changed_by, reason, created_at FROM order_states WHERE order_id = ${orderId} ORDER BY created_at, id`.execute(trx)).rows;
        return { order: o, items, history };
      });
    },

    /** GET /cases/:id (case, patient, then states + messages + files merged by time). */
    caseTimeline(actor: string, caseId: string) {
      return db.asActor({ sub: actor }, async (trx) => {
        const row = (await sql<{ patient_id: string }>`SELECT c.*, c.created_at::text AS created_at_text FROM cases c WHERE c.id = ${caseId}`.execute(trx)).rows[0];
        if (!row) throw new Error(`case ${caseId} not visible`);
        const patient = (
          await sql`SELECT pt.id, pt.patient_number, p.full_name FROM patients pt LEFT JOIN profiles p ON p.id = pt.profile_id WHERE pt.id = ${row.patient_id}`.execute(trx)
        ).rows[0];
        // The route's single UNION ALL (src/api/routes/cases.routes.ts timeline()).
        const timeline = (
          await sql`
            SELECT 'state' AS kind, created_at, changed_by AS actor_id, NULL::uuid AS ref_id, from_state::text, to_state::text, reason,
                   NULL AS message_type, NULL AS subject, NULL AS file_name, NULL AS file_type, 0 AS ord, id
              FROM case_states WHERE case_id = ${caseId}
            UNION ALL
            SELECT 'message', created_at, sender_id, id, NULL, NULL, NULL, message_type::text, subject, NULL, NULL, 1, id FROM case_messages WHERE case_id = ${caseId}
            UNION ALL
            SELECT 'file', created_at, uploaded_by, id, NULL, NULL, NULL, NULL, NULL, file_name, file_type::text, 2, id FROM case_files WHERE case_id = ${caseId}
            ORDER BY created_at, ord, id`.execute(trx)
        ).rows;
        return { case: row, patient, timeline };
      });
    },

    /** GET /tasks/inbox: the route's query, inbox_tasks() over what the workflow persists. */
    taskInbox(actor: string) {
      return db.asActor({ sub: actor }, async (trx) => {
        const r = await sql`
          SELECT a.case_id, c.case_number, c.title, a.practice_id, a.priority, c.current_state, a.role, a.task_id, a.task_name, a.task_kind,
                 a.required_roles, a.due_at, a.overdue
            FROM inbox_tasks(NULL, 50) a JOIN cases c ON c.id = a.case_id
           ORDER BY a.priority DESC, a.case_created_at, a.case_id, a.task_id`.execute(trx);
        return r.rows;
      });
    },

    /**
     * A doctor's decision at the DB level: lock the case, append a case_states row (RLS: changed_by
     * must be the caller), update cases.current_state. planning -> approved, otherwise -> planning
     * (request changes), so repeated decisions keep the pool of targets stable.
     */
    decision(actor: string, caseId: string) {
      return db.asActor({ sub: actor }, async (trx) => {
        const cur = (await sql<{ current_state: string }>`SELECT current_state FROM cases WHERE id = ${caseId} FOR UPDATE`.execute(trx)).rows[0]?.current_state;
        if (!cur) throw new Error(`case ${caseId} not visible`);
        const next = cur === 'planning' ? 'approved' : 'planning';
        await sql`INSERT INTO case_states (case_id, from_state, to_state, changed_by, reason)
                  VALUES (${caseId}, ${cur}::case_state_enum, ${next}::case_state_enum, ${actor}, ${next === 'approved' ? 'Plan approved' : 'Changes requested'})`.execute(trx);
        await sql`UPDATE cases SET current_state = ${next}::case_state_enum WHERE id = ${caseId}`.execute(trx);
        return { from: cur, to: next };
      });
    },
  };
}

export type NewQueries = ReturnType<typeof newQueries>;
