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

// ---- strings: the server checks exactly what the OpenAPI document says ----------------------

/**
 * The characters String.prototype.trim() removes (ECMAScript WhiteSpace and LineTerminator),
 * spelled out: `\s` means something else in Python's and Rust's regex engines, which
 * schemathesis and other clients use to read the document's patterns.
 */
const BLANK = String.raw`\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff`;
/** At least one character that is not blank (unanchored, as JSON Schema's `pattern` is). */
export const NON_BLANK = new RegExp(`[^${BLANK}]`);
const EDGE_BLANKS = new RegExp(`^[${BLANK}]+|[${BLANK}]+$`, 'g');
/** Removes leading and trailing blanks (the same characters as NON_BLANK excludes). */
export const trimBlank = (s: string) => s.replace(EDGE_BLANKS, '');
const PATH_SAFE = String.raw`/\\\u0000-\u001f`;
/**
 * A file name: no slash, backslash or control character, and not blank. The document used to
 * allow what the server refused (a backslash); now this pattern is both.
 */
export const FILE_NAME = new RegExp(`^[^${PATH_SAFE}]*[^${PATH_SAFE}${BLANK}][^${PATH_SAFE}]*$`);

/** Length in code points, as JSON Schema's minLength/maxLength count (zod's .max() counts UTF-16 units). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * A string of at most `max` code points (and at least `min`), optionally matching `pattern`
 * (given without flags, as JSON Schema reads it).
 */
export function ZText(opts: { max: number; min?: number; pattern?: RegExp; patternMessage?: string }) {
  const { max, min = 0, pattern, patternMessage } = opts;
  let s = z.string();
  if (pattern) s = s.regex(pattern, patternMessage ? { message: patternMessage } : undefined);
  return s
    .refine((v) => codePoints(v) <= max, { message: `Too long: at most ${max} characters` })
    .refine((v) => codePoints(v) >= min, { message: `Too short: at least ${min} characters` })
    .openapi({ maxLength: max, ...(min ? { minLength: min } : {}) });
}

/**
 * Free text that must say something (names, titles, reasons): at most `max` characters, at
 * least one of them not blank (the document's `pattern`); stored without leading and trailing
 * blanks. Whitespace-only input was refused by `.trim().min(1)` although the document, saying
 * only minLength 1, allowed it.
 */
export function ZName(max: number) {
  return ZText({ max, pattern: NON_BLANK, patternMessage: 'must not be blank' }).overwrite(trimBlank);
}

/**
 * An email address: an RFC 5322 dot-atom local part and a domain of at least two labels,
 * compared and stored in lower case. The document carries this very pattern instead of
 * `format: email`, whose validators disagree with each other and with zod's z.email().
 */
export const EMAIL_PATTERN = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
export const ZEmail = ZText({ max: 320, pattern: EMAIL_PATTERN, patternMessage: 'Invalid email address' }).openapi({ example: 'dr.lee@example.com' });

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
export const ZMoney = z.string().regex(/^[0-9]{1,8}(\.[0-9]{1,2})?$/).openapi({ example: '1250.00', description: 'numeric(10,2): at most 99999999.99' });

/** A page cursor: `<created_at in microseconds since 1970>_<id>` (see encodeCursor). */
export const CURSOR_PATTERN = /^[0-9]{1,16}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const ZPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().regex(CURSOR_PATTERN).optional().openapi({ description: 'nextCursor of the previous page' }),
});

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

export const iso = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());
export const isoReq = (d: Date | string): string => new Date(d).toISOString();

/**
 * Keyset cursor over (created_at, id): `<created_at in microseconds since 1970>_<id>`. Every
 * string the document's pattern admits is a cursor the server accepts (an opaque base64 cursor
 * could only be refused after decoding, which the document could not say).
 */
const PG_TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:Z|([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)$/;

/** @param createdAt - created_at as PostgreSQL prints it (`created_at::text`, microseconds). */
export function encodeCursor(createdAt: string, id: string): string {
  const m = PG_TIMESTAMP.exec(createdAt);
  if (!m) throw new Error(`unexpected timestamp text ${createdAt}`);
  const [, y, mo, d, h, mi, sec, frac = '', sign, oh = '0', om = '0', os = '0'] = m;
  const offsetSeconds = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) - (sign ? offsetSeconds * 1000 : 0);
  const micros = BigInt(ms) * 1000n + BigInt(frac.padEnd(6, '0'));
  return `${micros}_${id}`;
}
export interface Cursor {
  /** ISO 8601 with microseconds, for `::timestamptz`. */
  createdAt: string;
  id: string;
}
export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  // ZPageQuery checked CURSOR_PATTERN already; this guards other callers.
  if (!CURSOR_PATTERN.test(cursor)) {
    throw new ApiError(400, 'validation_failed', 'The cursor is invalid.', [{ field: 'query.cursor', message: 'invalid cursor' }]);
  }
  const [us, id] = cursor.split('_') as [string, string];
  const micros = BigInt(us);
  const iso = new Date(Number(micros / 1000n)).toISOString();
  return { createdAt: `${iso.slice(0, 23)}${String(micros % 1000n).padStart(3, '0')}Z`, id: id.toLowerCase() };
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
