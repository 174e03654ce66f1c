/**
 * Patient consent (issue 12 §3): treatment, sharing with the lab, AI processing, communications.
 * Each change is a new version (append-only, time-stamped, naming who recorded it); the latest
 * version is in force. A withdrawal of AI processing deletes the patient's embeddings in the same
 * transaction, and the embedding pipeline embeds none of their texts until it is granted again.
 */
import { ApiError } from '../errors';
import { ctx } from '../context';
import { isoReq, myPracticeRole, ZIdParams, ZText, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { aiProcessingAllowed, CONSENT_KINDS, listConsents, recordConsent, type ConsentRow } from '../../repositories/consents.repository';
import { recordPhiAccess } from '../../repositories/phi-access.repository';

/** Practice roles that may record a patient's consent. */
const RECORDERS = ['owner', 'admin', 'doctor'] as const;

const ZConsentKind = z.enum(CONSENT_KINDS).openapi({ description: 'treatment, lab_sharing (sharing with the lab), ai_processing, communications' });

const ZConsent = z
  .object({
    id: ZUuid,
    kind: ZConsentKind,
    granted: z.boolean(),
    version: z.number().int().min(1),
    policyVersion: z.string().nullable().openapi({ description: 'The consent text the patient was shown' }),
    recordedBy: ZUuid,
    recordedAt: ZTimestamp,
    note: z.string().nullable(),
  })
  .openapi('Consent');

const ZConsents = z
  .object({
    patientId: ZUuid,
    current: z
      .array(
        z.object({
          kind: ZConsentKind,
          granted: z.boolean().nullable().openapi({ description: 'The latest version; null when never recorded' }),
          version: z.number().int().nullable(),
          recordedAt: ZTimestamp.nullable(),
        }),
      )
      .openapi({ description: 'One entry per kind, in a fixed order' }),
    aiProcessingAllowed: z.boolean().openapi({ description: 'Whether the patient’s texts are embedded for search (no record: yes, under the practice’s treatment agreement)' }),
    history: z.array(ZConsent).openapi({ description: 'Every version, newest first' }),
  })
  .openapi('PatientConsents');

const ZRecordConsentBody = z
  .object({
    kind: ZConsentKind,
    granted: z.boolean(),
    policyVersion: ZText({ max: 100 }).optional(),
    note: ZText({ max: 2000 }).optional(),
  })
  .openapi('RecordConsentBody');

const toConsent = (r: ConsentRow): z.infer<typeof ZConsent> => ({
  id: r.id,
  kind: r.kind,
  granted: r.granted,
  version: r.version,
  policyVersion: r.policy_version,
  recordedBy: r.recorded_by,
  recordedAt: isoReq(r.recorded_at),
  note: r.note,
});

export function consentRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/patients/:id/consents',
    tags: ['patients', 'trust'],
    summary: "A patient's consents: the version in force per kind and the full history",
    params: ZIdParams,
    response: ZConsents,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const patient = await trx.selectFrom('patients').select(['id', 'practice_id']).where('id', '=', params.id).executeTakeFirst();
        if (!patient) throw ApiError.notFound('Patient');
        ctx().practiceId = patient.practice_id;
        const history = await listConsents(trx, params.id);
        await recordPhiAccess(trx, [params.id], { route: 'GET /patients/{id}/consents', resource: 'consents', resourceId: params.id });
        return {
          patientId: params.id,
          current: CONSENT_KINDS.map((kind) => {
            const latest = history.filter((h) => h.kind === kind).sort((a, b) => b.version - a.version)[0];
            return { kind, granted: latest?.granted ?? null, version: latest?.version ?? null, recordedAt: latest ? isoReq(latest.recorded_at) : null };
          }),
          aiProcessingAllowed: await aiProcessingAllowed(trx, params.id),
          history: history.map(toConsent),
        };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/patients/:id/consents',
    tags: ['patients', 'trust'],
    summary: 'Record a new version of one consent (practice owner, admin or doctor)',
    description:
      'Appends a version; earlier ones stay. Withdrawing ai_processing deletes the patient’s embeddings at once and stops new ones; granting it again queues their texts for embedding.',
    params: ZIdParams,
    body: ZRecordConsentBody,
    status: 201,
    response: ZConsent,
    errors: [403],
    handler: ({ params, body }) => {
      const c = ctx();
      return c.db(async (trx) => {
        const patient = await trx.selectFrom('patients').select(['id', 'practice_id']).where('id', '=', params.id).executeTakeFirst();
        if (!patient) throw ApiError.notFound('Patient');
        c.practiceId = patient.practice_id;
        const role = await myPracticeRole(trx, patient.practice_id);
        if (!role || !(RECORDERS as readonly string[]).includes(role)) {
          throw ApiError.forbidden('Only the practice owner, an admin or a doctor may record consent.');
        }
        const row = await recordConsent(trx, {
          patientId: params.id,
          practiceId: patient.practice_id,
          kind: body.kind,
          granted: body.granted,
          recordedBy: c.actor!.profileId,
          policyVersion: body.policyVersion ?? null,
          note: body.note ?? null,
        });
        return toConsent(row);
      });
    },
  });
}
