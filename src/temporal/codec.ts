/**
 * Encrypted Temporal payloads (issue 12 §4): AES-256-GCM over each whole payload (its metadata and
 * data, serialised as the Payload protobuf), so the server stores neither the free text of
 * workflow/activity inputs and results, update arguments and memo, nor even their encoding.
 *
 * Keys form a ring: the current key encrypts new payloads, every key in the ring decrypts, and
 * the key id travels in the encrypted payload's metadata, so keys rotate without re-writing
 * histories (add the new key first, keep the old ones for as long as histories that use them are
 * retained). Search attributes do not pass through codecs: they stay clear by design, because
 * the server must index them (they hold ids and codes only, never patient data).
 *
 * A payload that is not encrypted (histories recorded before this codec, or written by a client
 * without keys) is decoded as-is, so old workflows replay and keep running.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKey } from './key-ring';

export { parseKeyRing, type PayloadKey } from './key-ring';

/** metadata.encoding of an encrypted payload (the value Temporal's samples use). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** metadata key naming the ring key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A payload the codec cannot decrypt: unknown key id, wrong key, or tampered ciphertext. */
export class PayloadDecryptError extends Error {
  override name = 'PayloadDecryptError';
}

/**
 * The AES-256-GCM payload codec.
 * @param keys - the ring; every key decrypts.
 * @param currentId - the key new payloads are encrypted with. @default the first key
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly ring: Map<string, Uint8Array>;
  readonly currentId: string;

  constructor(keys: PayloadKey[], currentId: string = keys[0]?.id ?? '') {
    this.ring = new Map(keys.map((k) => [k.id, k.key]));
    if (!this.ring.has(currentId)) throw new Error(`the current payload key "${currentId}" is not in the key ring`);
    this.currentId = currentId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.ring.get(this.currentId)!;
    const keyId = enc.encode(this.currentId);
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: moving a payload to another key id fails to decrypt.
      cipher.setAAD(keyId);
      const clear = temporal.api.common.v1.Payload.encode(p).finish();
      const body = Buffer.concat([iv, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: enc.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: keyId }, data: new Uint8Array(body) };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const encoding = p.metadata?.encoding;
      if (!encoding || dec.decode(encoding) !== ENCRYPTED_ENCODING) return p; // recorded before the codec: clear
      const idBytes = p.metadata?.[KEY_ID_METADATA];
      const id = idBytes ? dec.decode(idBytes) : '';
      const key = this.ring.get(id);
      if (!key) throw new PayloadDecryptError(`payload encrypted with key "${id}", which is not in the key ring (TEMPORAL_PAYLOAD_KEYS)`);
      const data = p.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptError('encrypted payload too short');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(idBytes!);
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const clear = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        const inner = temporal.api.common.v1.Payload.decode(clear);
        return { metadata: inner.metadata, data: inner.data };
      } catch (err) {
        throw new PayloadDecryptError(`payload with key "${id}" does not decrypt (wrong key or altered): ${(err as Error).message}`);
      }
    });
  }
}
