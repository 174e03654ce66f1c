/** The payload codec on its own: round trip, key rotation, clear payloads, refusals. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../config';
import { payloadCodec } from './data-converter';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, parseKeyRing, PayloadDecryptError } from './codec';

const key = () => randomBytes(32).toString('base64');
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const payload = (v: unknown): Payload => defaultPayloadConverter.toPayload(v);
const value = (p: Payload) => defaultPayloadConverter.fromPayload(p);

const SECRET = { reason: 'Patient Jane Roe grinds her teeth at night', n: 42 };

test('round trip: the encoded payload carries neither the value nor its encoding, and decodes to the original', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyRing(`k1:${key()}`));
  const clear = [payload(SECRET), payload(null), payload('x'.repeat(10_000))];
  const encoded = await codec.encode(clear);
  expect(encoded).toHaveLength(3);
  for (const p of encoded) {
    expect(text(p.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(p.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(p.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    expect(text(p.data)).not.toContain('Jane Roe');
    expect(text(p.data)).not.toContain('json/plain');
  }
  // A fresh IV each time: the same value never encrypts to the same bytes.
  const [again] = await codec.encode([clear[0]!]);
  expect(Buffer.from(again!.data!).equals(Buffer.from(encoded[0]!.data!))).toBe(false);
  const decoded = await codec.decode(encoded);
  expect(decoded.map(value)).toEqual([SECRET, null, 'x'.repeat(10_000)]);
  expect(await codec.encode([])).toEqual([]);
});

test('key rotation: new payloads use the current key, payloads of older keys still decrypt, a retired key no longer does', async () => {
  const [k1, k2] = [key(), key()];
  const before = new AesGcmPayloadCodec(parseKeyRing(`k1:${k1}`));
  const old = await before.encode([payload(SECRET)]);

  const rotated = new AesGcmPayloadCodec(parseKeyRing(`k2:${k2},k1:${k1}`));
  expect(rotated.currentId).toBe('k2');
  const fresh = await rotated.encode([payload(SECRET)]);
  expect(text(fresh[0]!.metadata?.[KEY_ID_METADATA])).toBe('k2');
  expect((await rotated.decode([...old, ...fresh])).map(value)).toEqual([SECRET, SECRET]);

  // The old process (ring k1 only) cannot read what the rotated one wrote: keys are added first.
  await expect(before.decode(fresh)).rejects.toThrow(/key "k2", which is not in the key ring/);
  // An explicit current key id.
  const pinned = new AesGcmPayloadCodec(parseKeyRing(`k2:${k2},k1:${k1}`), 'k1');
  expect(text((await pinned.encode([payload(1)]))[0]!.metadata?.[KEY_ID_METADATA])).toBe('k1');
  expect(() => new AesGcmPayloadCodec(parseKeyRing(`k1:${k1}`), 'k9')).toThrow(/"k9" is not in the key ring/);
});

test('clear payloads (histories from before the codec) decode as they are', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyRing(`k1:${key()}`));
  const clear = [payload(SECRET), payload(undefined)];
  expect(await codec.decode(clear)).toEqual(clear);
});

test('altered ciphertext, a swapped key id or a wrong key fail loudly instead of decoding garbage', async () => {
  const k1 = key();
  const codec = new AesGcmPayloadCodec(parseKeyRing(`k1:${k1},k0:${key()}`));
  const [p] = await codec.encode([payload(SECRET)]);
  const flipped = Buffer.from(p!.data!);
  flipped[20] = flipped[20]! ^ 1;
  await expect(codec.decode([{ ...p, data: flipped }])).rejects.toThrow(PayloadDecryptError);
  await expect(codec.decode([{ ...p, metadata: { ...p!.metadata, [KEY_ID_METADATA]: Buffer.from('k0') } }])).rejects.toThrow(/does not decrypt/);
  await expect(codec.decode([{ ...p, data: new Uint8Array(5) }])).rejects.toThrow(/too short/);
  const other = new AesGcmPayloadCodec(parseKeyRing(`k1:${key()}`));
  await expect(other.decode([p!])).rejects.toThrow(/does not decrypt/);
});

test('key ring syntax: bad entries are refused without echoing key material', () => {
  const k = key();
  expect(parseKeyRing(` a:${k} , b-2.x_y:${key()} `).map((x) => x.id)).toEqual(['a', 'b-2.x_y']);
  expect(() => parseKeyRing('')).toThrow(/no keys/);
  expect(() => parseKeyRing(k)).toThrow(/key entry 1 must be id:base64key/);
  expect(() => parseKeyRing(`a:${k},a:${k}`)).toThrow(/appears twice/);
  expect(() => parseKeyRing(`a:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
  try {
    parseKeyRing(`bad id:${k}`);
  } catch (err) {
    expect(String(err)).not.toContain(k.slice(0, 6));
  }
});

test('configuration: production refuses to start without keys; a current key id outside the ring is named', () => {
  expect(() => payloadCodec(loadConfig({ NODE_ENV: 'production' }))).toThrow(/TEMPORAL_PAYLOAD_KEYS is not set/);
  expect(payloadCodec(loadConfig({ NODE_ENV: 'development' }))).toBeNull();
  expect(payloadCodec(loadConfig({ TEMPORAL_PAYLOAD_KEYS: `a:${key()}` }))?.currentId).toBe('a');
  expect(() => loadConfig({ TEMPORAL_PAYLOAD_KEYS: 'a:short' })).toThrow(/TEMPORAL_PAYLOAD_KEYS: key "a" must be 32 bytes/);
  expect(() => payloadCodec(loadConfig({ TEMPORAL_PAYLOAD_KEYS: `a:${key()}`, TEMPORAL_PAYLOAD_KEY_ID: 'b' }))).toThrow(/TEMPORAL_PAYLOAD_KEY_ID: .*"b" is not in the key ring/);
});
