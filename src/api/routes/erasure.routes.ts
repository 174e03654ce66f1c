/**
 * Right to erasure (issue 12 §3). The practice owner asks (`POST /patients/{id}/erasure` → 202);
 * a durable workflow erases (src/workflows/erasure.workflow.ts); `GET /erasures/{id}` follows it
 * and `GET /erasures/{id}/certificate` is what it leaves. Refusals are 409 with the reason's code:
 * `legal_hold`, `case_in_production`, `retention_period`. Legal holds are placed and lifted by the
 * practice's owner or admin (audited like every write); the retention period is the practice's.
 * Everything is read and written under RLS as the caller: another practice's ids answer 404.
 */
import type { Tx } from '../../db/database';
import {
  erasureRefusal,
  erasureWorkflowId,
  getCertificate,
  getErasure,
  insertErasure,
  openErasure,
} from '../../repositories/erasure.repository';
import { patientErasureWorkflow } from '../../workflows/erasure.workflow';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { iso, isoReq, requireManager, ZIdParams, ZName, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

export const DEFAULT_RETENTION_YEARS = 7;

const ZErasure = z
  .object({
    id: ZUuid,
    patientId: ZUuid,
    practiceId: ZUuid,
    status: z.enum(['pending', 'running', 'completed', 'refused']),
    requestedBy: ZUuid,
    requestedAt: ZTimestamp,
    startedAt: ZTimestamp.nullable(),
    completedAt: ZTimestamp.nullable(),
    refusal: z.object({ code: z.string(), reason: z.string() }).nullable().openapi({ description: 'Why the erasure was refused when it was about to run (a hold placed meanwhile).' }),
    progress: z.record(z.string(), z.unknown()).openapi({ description: 'Counts per step so far: storageObjects, temporalExecutions, database.' }),
    workflowId: z.string().openapi({ description: 'The Temporal workflow (one per patient; ids only in its history).' }),
  })
  .openapi('Erasure');

const ZCertificate = z
  .object({
    id: ZUuid,
    erasureId: ZUuid,
    patientId: ZUuid,
    practiceId: ZUuid,
    requestedBy: ZUuid,
    requestedAt: ZTimestamp,
    completedAt: ZTimestamp,
    issuedAt: ZTimestamp,
    erased: z.record(z.string(), z.number()).openapi({ description: 'Per category: rows anonymised or deleted, storage objects, embeddings, Temporal executions, audit entries redacted.' }),
    retained: z.array(z.string()).openapi({ description: 'What the erasure keeps, and why.' }),
  })
  .openapi('ErasureCertificate');

const ZLegalHold = z
  .object({
    id: ZUuid,
    patientId: ZUuid,
    practiceId: ZUuid,
    reason: z.string(),
    placedBy: ZUuid,
    placedAt: ZTimestamp,
    liftedBy: ZUuid.nullable(),
    liftedAt: ZTimestamp.nullable(),
    liftReason: z.string().nullable(),
  })
  .openapi('LegalHold');

const ZRetention = z
  .object({
    practiceId: ZUuid,
    clinicalRecordYears: z.number().int().openapi({ description: `Years clinical records are kept after the last treatment (from the 18th birthday for minors); default ${DEFAULT_RETENTION_YEARS}.` }),
  })
  .openapi('RetentionPolicy');

type ErasureRow = NonNullable<Awaited<ReturnType<typeof getErasure>>>;
const toErasure = (e: ErasureRow): z.input<typeof ZErasure> => ({
  id: e.id,
  patientId: e.patient_id,
  practiceId: e.practice_id,
  status: e.status as 'pending',
  requestedBy: e.requested_by,
  requestedAt: isoReq(e.requested_at),
  startedAt: iso(e.started_at),
  completedAt: iso(e.completed_at),
  refusal: e.refusal_code ? { code: e.refusal_code, reason: e.refusal_reason ?? '' } : null,
  progress: (e.progress as Record<string, unknown>) ?? {},
  workflowId: e.workflow_id,
});

type HoldRow = { id: string; patient_id: string; practice_id: string; reason: string; placed_by: string; placed_at: Date; lifted_by: string | null; lifted_at: Date | null; lift_reason: string | null };
const toHold = (h: HoldRow): z.input<typeof ZLegalHold> => ({
  id: h.id,
  patientId: h.patient_id,
  practiceId: h.practice_id,
  reason: h.reason,
  placedBy: h.placed_by,
  placedAt: isoReq(h.placed_at),
  liftedBy: h.lifted_by,
  liftedAt: iso(h.lifted_at),
  liftReason: h.lift_reason,
});

/** The patient as the caller sees it (404 otherwise), with the caller's management role checked (403). */
async function managedPatient(trx: Tx, patientId: string): Promise<{ id: string; practice_id: string; role: string }> {
  const patient = await trx.selectFrom('patients').select(['id', 'practice_id']).where('id', '=', patientId).executeTakeFirst();
  if (!patient) throw ApiError.notFound('Patient');
  const role = await requireManager(trx, patient.practice_id);
  return { ...patient, role };
}

const ZHoldParams = z.object({ id: ZUuid, holdId: ZUuid });

export function erasureRoutes(kit: RouteKit, s: ApiServices): void {
  /** Starts (or finds) the patient's erasure workflow; USE_EXISTING makes a repeated start a no-op. */
  const start = (e: ErasureRow) =>
    s.temporal.workflow.start(patientErasureWorkflow, {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId: erasureWorkflowId(e.practice_id, e.patient_id),
      args: [{ erasureId: e.id, patientId: e.patient_id, practiceId: e.practice_id }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });

  route(kit, {
    method: 'post',
    path: '/patients/:id/erasure',
    tags: ['trust', 'patients'],
    summary: "Erase a patient's personal data (practice owner); 202 with the erasure to follow",
    description:
      'Anonymises the patient and their cases, messages and projects, deletes their files (rows and storage objects), embeddings and case histories in Temporal, scrubs their name from the practice\'s other messages and cases, and redacts the audit log; a certificate records it. While an erasure of the patient is pending or running, the same erasure is answered. 409 refusals: `legal_hold`, `case_in_production`, `retention_period` (details say which hold, cases or date).',
    params: ZIdParams,
    status: 202,
    response: ZErasure,
    errors: [403, 409],
    idempotent: true,
    handler: async ({ params }) => {
      const c = ctx();
      const erasure = await c.db(async (trx) => {
        const patient = await managedPatient(trx, params.id);
        c.practiceId = patient.practice_id;
        if (patient.role !== 'owner') throw ApiError.forbidden('Only the practice owner may erase a patient.');
        const open = await openErasure(trx, patient.id);
        if (open) return open;
        const refusal = await erasureRefusal(trx, patient.id);
        if (refusal) throw new ApiError(409, refusal.code, refusal.reason, refusal.details);
        return insertErasure(trx, { patientId: patient.id, practiceId: patient.practice_id, requestedBy: c.actor!.profileId });
      });
      // After the commit: if the start fails, the pending request stays and a retry starts it.
      await start(erasure);
      return toErasure(erasure);
    },
  });

  route(kit, {
    method: 'get',
    path: '/erasures/:id',
    tags: ['trust'],
    summary: 'An erasure request: status, progress, refusal (practice owner/admin; lab admins)',
    params: ZIdParams,
    response: ZErasure,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const e = await getErasure(trx, params.id);
        if (!e) throw ApiError.notFound('Erasure');
        ctx().practiceId = e.practice_id;
        return toErasure(e);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/erasures/:id/certificate',
    tags: ['trust'],
    summary: 'The certificate of a completed erasure: what was erased, when, at whose request (404 until it completes)',
    params: ZIdParams,
    response: ZCertificate,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const cert = await getCertificate(trx, params.id);
        if (!cert) throw ApiError.notFound('Certificate');
        ctx().practiceId = cert.practice_id;
        return {
          id: cert.id,
          erasureId: cert.erasure_id,
          patientId: cert.patient_id,
          practiceId: cert.practice_id,
          requestedBy: cert.requested_by,
          requestedAt: isoReq(cert.requested_at),
          completedAt: isoReq(cert.completed_at),
          issuedAt: isoReq(cert.issued_at),
          erased: cert.erased as Record<string, number>,
          retained: cert.retained as string[],
        };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/patients/:id/legal-holds',
    tags: ['trust', 'patients'],
    summary: 'Place a legal hold on a patient (owner/admin): no erasure while it is in force',
    params: ZIdParams,
    body: z.object({ reason: ZName(2000) }).openapi('LegalHoldBody'),
    status: 201,
    response: ZLegalHold,
    errors: [403, 409],
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        const c = ctx();
        const patient = await managedPatient(trx, params.id);
        c.practiceId = patient.practice_id;
        if (await trx.selectFrom('patient_erasures').select('id').where('patient_id', '=', patient.id).where('status', '=', 'running').executeTakeFirst()) {
          throw new ApiError(409, 'erasure_in_progress', 'The patient is being erased; a hold can no longer stop it.');
        }
        const hold = await trx
          .insertInto('legal_holds')
          .values({ patient_id: patient.id, practice_id: patient.practice_id, reason: body.reason, placed_by: c.actor!.profileId })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toHold(hold);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/patients/:id/legal-holds',
    tags: ['trust', 'patients'],
    summary: "A patient's legal holds, newest first (owner/admin; at most 500)",
    description:
      'Every hold of the patient, lifted ones included, newest first, at most 500 in one answer. Not paged on purpose: an owner or admin places each hold by hand for a claim or an investigation, so a patient has a handful.',
    params: ZIdParams,
    response: z.object({ items: z.array(ZLegalHold) }).openapi('LegalHoldList'),
    errors: [403],
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const patient = await managedPatient(trx, params.id);
        ctx().practiceId = patient.practice_id;
        const rows = await trx.selectFrom('legal_holds').selectAll().where('patient_id', '=', patient.id).orderBy('placed_at', 'desc').orderBy('id', 'desc').limit(500).execute();
        return { items: rows.map(toHold) };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/patients/:id/legal-holds/:holdId/lift',
    tags: ['trust', 'patients'],
    summary: 'Lift a legal hold (owner/admin); 409 hold_lifted if it already was',
    params: ZHoldParams,
    body: z.object({ reason: ZName(2000).optional() }).openapi('LiftHoldBody'),
    response: ZLegalHold,
    errors: [403, 409],
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        const c = ctx();
        const patient = await managedPatient(trx, params.id);
        c.practiceId = patient.practice_id;
        const hold = await trx.selectFrom('legal_holds').select(['id', 'lifted_at']).where('id', '=', params.holdId).where('patient_id', '=', patient.id).executeTakeFirst();
        if (!hold) throw ApiError.notFound('Legal hold');
        if (hold.lifted_at) throw new ApiError(409, 'hold_lifted', 'This legal hold was already lifted.');
        const lifted = await trx
          .updateTable('legal_holds')
          .set({ lifted_by: c.actor!.profileId, lifted_at: new Date(), lift_reason: body.reason ?? null })
          .where('id', '=', hold.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toHold(lifted);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/practices/:id/retention',
    tags: ['trust', 'practices'],
    summary: "The practice's retention period for clinical records (owner/admin)",
    params: ZIdParams,
    response: ZRetention,
    errors: [403],
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        await requireManager(trx, params.id);
        const p = await trx.selectFrom('practices').select('clinical_retention_years').where('id', '=', params.id).executeTakeFirstOrThrow();
        return { practiceId: params.id, clinicalRecordYears: p.clinical_retention_years };
      }),
  });

  route(kit, {
    method: 'patch',
    path: '/practices/:id/retention',
    tags: ['trust', 'practices'],
    summary: "Set the practice's retention period for clinical records (owner/admin; 0-100 years)",
    description: `Erasure is refused until this many years after the patient's last treatment (from their 18th birthday if later). Default ${DEFAULT_RETENTION_YEARS}: most US states require 5-7 years for adult records; set your state's figure.`,
    params: ZIdParams,
    body: z.object({ clinicalRecordYears: z.number().int().min(0).max(100) }).openapi('RetentionBody'),
    response: ZRetention,
    errors: [403],
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        await requireManager(trx, params.id);
        await trx.updateTable('practices').set({ clinical_retention_years: body.clinicalRecordYears }).where('id', '=', params.id).execute();
        return { practiceId: params.id, clinicalRecordYears: body.clinicalRecordYears };
      }),
  });
}
