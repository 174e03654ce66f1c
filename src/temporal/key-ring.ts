/** The payload key ring's format, apart from the codec so that config validation stays light. */

export interface PayloadKey {
  /** Short, stable, not secret (it is stored with every payload), e.g. `2026-11`. */
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

/**
 * Parses a key ring `id:base64key,id:base64key` (each key 32 bytes, standard or url-safe base64).
 * @returns the keys in the given order; throws an Error naming the bad entry.
 */
export function parseKeyRing(spec: string): PayloadKey[] {
  const keys: PayloadKey[] = [];
  for (const [n, entry] of spec.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    // Never echo the entry: it holds a secret.
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error(`key entry ${n + 1} must be id:base64key with an id of letters, digits, . _ -`);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`key "${id}" must be 32 bytes of base64 (got ${key.length}); generate one with: openssl rand -base64 32`);
    if (keys.some((k) => k.id === id)) throw new Error(`key id "${id}" appears twice`);
    keys.push({ id, key });
  }
  if (!keys.length) throw new Error('no keys given');
  return keys;
}

