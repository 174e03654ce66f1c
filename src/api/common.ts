/**
 * Schemas and helpers shared by the route modules: ids, enums mirroring the PostgreSQL enums,
 * timestamps, keyset cursors, and the caller's practice role (read under RLS).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';
import type { LabRole } from '../workflows/case.messages';
import type { PracticeRole } from '../workflows/plan/plan.types';
import { ApiError } from './errors';
import { ctx } from './context';
import { z } from './zod';

export const ZUuid = z.uuid().openapi({ example: '7f9c2d4e-0a55-4c1e-9d0b-6f1a2b3c4d5e' });
export const ZIdParams = z.object({ id: ZUuid });
export const ZTimestamp = z.string().openapi({ format: 'date-time', example: '2025-01-31T09:30:00.000Z' });
export const ZDate = z.iso.date().openapi({ example: '1990-04-12' });
export const ZJsonObject = z.record(z.string(), z.unknown());

export const ZPracticeRole = z.enum(['owner', 'doctor', 'technician', 'assistant', 'admin']);
export const ZUserRole = z.enum(['doctor', 'technician', 'admin', 'support']);
export const ZCaseState = z.enum(['submitted', 'under_review', 'planning', 'approved', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'on_hold', 'cancelled']);
export const ZCaseType = z.enum(['initial_consultation', 'treatment_planning', 'active_treatment', 'refinement', 'retention', 'emergency', 'follow_up']);
export const ZPriority = z.enum(['low', 'medium', 'high', 'urgent']);
export const ZGender = z.enum(['male', 'female', 'other', 'prefer_not_to_say']);
export const ZOrderState = z.enum(['pending', 'confirmed', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded']);
export const ZMessageType = z.enum(['general', 'status_update', 'question', 'instruction', 'approval_request', 'system_notification']);
export const ZFileType = z.enum(['scan', 'photo', 'xray', 'document', 'model', 'simulation', 'other']);
export const ZProductCategory = z.enum(['aligners', 'retainers', 'appliances', 'accessories', 'services']);
export const ZBool = z.enum(['true', 'false']);
/** Decimal money as a string, exactly as PostgreSQL numeric(10,2) holds it. */
export const ZMoney = z.string().regex(/^\d+(\.\d{1,2})?$/).openapi({ example: '1250.00' });

export const ZPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional().openapi({ description: 'nextCursor of the previous page' }),
});

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

export const iso = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());
export const isoReq = (d: Date | string): string => new Date(d).toISOString();

/** Keyset cursor over (created_at, id); created_at kept as PostgreSQL text (microseconds). */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}
export interface Cursor {
  createdAt: string;
  id: string;
}
export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && ZUuid.safeParse(id).success) return { createdAt, id: id as string };
  } catch {
    /* fall through */
  }
  throw new ApiError(400, 'validation_failed', 'The cursor is invalid.', [{ field: 'query.cursor', message: 'invalid cursor' }]);
}

/** The caller's role in a practice, read under RLS; null when not a member. */
export async function myPracticeRole(trx: Tx, practiceId: string): Promise<PracticeRole | null> {
  const row = await trx
    .selectFrom('practice_members')
    .select('role')
    .where('practice_id', '=', practiceId)
    .where('profile_id', '=', ctx().actor!.profileId)
    .executeTakeFirst();
  return (row?.role as PracticeRole | undefined) ?? null;
}

/** The caller's lab role (db: lab_role(), 0040): lab staff across client practices, or null. */
export async function myLabRole(trx: Tx): Promise<LabRole | null> {
  const { rows } = await sql<{ role: LabRole | null }>`SELECT public.lab_role() AS role`.execute(trx);
  return rows[0]?.role ?? null;
}

/**
 * The caller must be a member of the practice. A practice the caller cannot see answers 404,
 * exactly like a missing one.
 */
export async function requireMember(trx: Tx, practiceId: string, field?: string): Promise<PracticeRole> {
  const role = await myPracticeRole(trx, practiceId);
  if (!role) throw ApiError.notFound('Practice', field);
  ctx().practiceId = practiceId;
  return role;
}

/** Owner/admin of the practice (a member with another role gets 403, a stranger 404). */
export async function requireManager(trx: Tx, practiceId: string, field?: string): Promise<PracticeRole> {
  const role = await requireMember(trx, practiceId, field);
  if (role !== 'owner' && role !== 'admin') throw ApiError.forbidden('Only the owner or an admin of the practice may do this.');
  return role;
}
