/**
 * The six benchmark questions on the NEW schema, as a signed-in member under RLS (asActor: one
 * transaction as `authenticated` with request.jwt.claims set). Patient search, dashboard, timeline
 * and inbox call the routes' own query functions; order history repeats loadOrder's statements
 * (it reads the request context); the decision is a SQL stand-in because the API answers it through a Temporal
 * workflow update, which seeded cases do not have (the HTTP level measures the real one).
 */
import { sql } from 'kysely';
import type { Database } from '../src/db/database';
import { timeline } from '../src/api/routes/cases.routes';
import { practicePage } from '../src/api/routes/dashboard.routes';
import { listPatients } from '../src/api/routes/patients.routes';
import { inboxItems } from '../src/api/routes/tasks.routes';

export function newQueries(db: Database) {
  return {
    /** GET /patients?practiceId=&q=&limit=20: the route's own listPatients() (search_patient_ids(), rows under RLS). */
    patientSearch(actor: string, practiceId: string, q: string) {
      return db.asActor({ sub: actor }, (trx) => listPatients(trx, { practiceId, q, limit: 20 }, null));
    },

    /** GET /dashboard?practiceId=&limit=50: the route's own practicePage() (case_dashboard_page()). */
    dashboard(actor: string, practiceId: string) {
      return db.asActor({ sub: actor }, (trx) => practicePage(trx, practiceId, { limit: 50 }, null));
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
        // The route's own timeline(): states, messages and files in one UNION ALL.
        const merged = await timeline(trx, caseId);
        return { case: row, patient, timeline: merged };
      });
    },

    /** GET /tasks/inbox: the route's own inboxItems() (inbox_tasks() over what the workflow persists). */
    taskInbox(actor: string) {
      return db.asActor({ sub: actor }, (trx) => inboxItems(trx, null, 50));
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
