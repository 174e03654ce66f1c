/**
 * The codec server of the Temporal Web UI and CLI (issue 12 §4), Temporal's codec server
 * protocol: `POST /codec/decode` and `POST /codec/encode` take and answer `{ payloads: [...] }`
 * (Payloads in protobuf JSON: metadata values and data base64). Only lab admins (the operators of
 * MDW) may use it: decoding shows patients' free text. CORS for the UI's origin is set in server.ts
 * (CODEC_CORS_ORIGINS). Setup: README "Reading encrypted payloads in the Temporal UI".
 */
import { sql } from 'kysely';
import type { Payload } from '@temporalio/common';
import { PayloadDecryptError } from '../../temporal/codec';
import { payloadCodec } from '../../temporal/data-converter';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ZBase64 = z.string().max(4_000_000).regex(BASE64, 'must be base64');
const ZPayload = z
  .object({
    metadata: z.record(z.string().min(1).max(200), ZBase64).optional(),
    data: ZBase64.optional(),
  })
  .openapi('TemporalPayload', { description: 'A Temporal Payload in protobuf JSON form (metadata values and data base64).' });
const ZPayloads = z.object({ payloads: z.array(ZPayload).max(1000) }).openapi('TemporalPayloads');
type TPayload = z.infer<typeof ZPayload>;

const fromJson = (p: TPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toJson = (p: Payload): TPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function operatorCodec(s: ApiServices) {
  const admin = await ctx().db(async (trx) => (await sql<{ admin: boolean }>`SELECT public.is_internal_admin() AS admin`.execute(trx)).rows[0]?.admin);
  if (!admin) throw ApiError.forbidden('Only lab admins may decode or encode workflow payloads.');
  const codec = payloadCodec(s.config);
  if (!codec) throw new ApiError(503, 'service_unavailable', 'Payload encryption is not configured (TEMPORAL_PAYLOAD_KEYS): payloads are stored in clear.');
  return codec;
}

export function codecRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/codec/decode',
    tags: ['operations'],
    summary: "Decrypt Temporal payloads for the Temporal UI/CLI's codec server setting (lab admins)",
    description: 'Payloads that are not encrypted come back unchanged. One that cannot be decrypted (unknown key id, altered) answers 422 naming it.',
    body: ZPayloads,
    response: ZPayloads,
    errors: [403, 422],
    handler: async ({ body }) => {
      const codec = await operatorCodec(s);
      const out: TPayload[] = [];
      for (const [i, p] of body.payloads.entries()) {
        try {
          out.push(toJson((await codec.decode([fromJson(p)]))[0]!));
        } catch (err) {
          if (!(err instanceof PayloadDecryptError)) throw err;
          throw new ApiError(422, 'payload_undecryptable', `Payload ${i} cannot be decrypted: ${err.message}`, [{ field: `payloads.${i}`, message: err.message }]);
        }
      }
      return { payloads: out };
    },
  });

  route(kit, {
    method: 'post',
    path: '/codec/encode',
    tags: ['operations'],
    summary: 'Encrypt Temporal payloads with the current key (the UI/CLI starting or signalling a workflow; lab admins)',
    body: ZPayloads,
    response: ZPayloads,
    errors: [403],
    handler: async ({ body }) => {
      const codec = await operatorCodec(s);
      return { payloads: (await codec.encode(body.payloads.map(fromJson))).map(toJson) };
    },
  });
}
