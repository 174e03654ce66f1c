/**
 * The intent classifier as the application builds it: the lexical encoder always (no weights, so
 * classification works wherever MDW runs), plus the configured embedding provider when there is
 * one (the local ONNX model by default), weighted as `npm run eval:intent` measured best.
 */
import type { EmbeddingProvider } from '../providers/types';
import { createIntentClassifier, type ModelIntentClassifier } from './classifier';
import { INTENT_EXAMPLES } from './examples';
import { createLexicalEncoder } from './lexical-encoder';
import { modelText } from './classifier';

export { createIntentClassifier, DEFAULT_THRESHOLD, type ModelIntentClassifier } from './classifier';
export { guard } from './guards';

/** Weight of the sentence-embedding model against the lexical encoder (1). */
export const EMBEDDING_WEIGHT = 1;

/**
 * Thresholds calibrated by `npm run eval:intent` (leave-one-out precision >= 0.98): the lexical
 * encoder alone needs near-unanimous neighbours; with bge-small-en-v1.5 beside it, 0.8.
 */
export const THRESHOLDS = { lexical: 0.95, withEmbeddings: 0.8 } as const;

/**
 * The classifier with the lexical encoder and, when given, an embedding provider. If the
 * provider fails to encode the examples (weights missing, server down), the lexical encoder
 * serves alone, at its own threshold, and `onFallback` says why.
 */
export async function createDefaultIntentClassifier(embeddings?: EmbeddingProvider | null, onFallback?: (err: unknown) => void): Promise<ModelIntentClassifier> {
  const lexical = { provider: lexicalEncoder(), weight: 1 };
  if (embeddings) {
    try {
      return await createIntentClassifier({ encoders: [lexical, { provider: embeddings, weight: EMBEDDING_WEIGHT }], examples: INTENT_EXAMPLES, threshold: THRESHOLDS.withEmbeddings });
    } catch (err) {
      onFallback?.(err);
    }
  }
  return createIntentClassifier({ encoders: [lexical], examples: INTENT_EXAMPLES, threshold: THRESHOLDS.lexical });
}

/** The lexical encoder with IDF weights from the examples. */
export function lexicalEncoder() {
  return createLexicalEncoder(4096, INTENT_EXAMPLES.map((x) => modelText(x.text)));
}
