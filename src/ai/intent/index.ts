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

export function createDefaultIntentClassifier(embeddings?: EmbeddingProvider | null, threshold?: number): Promise<ModelIntentClassifier> {
  const encoders = [{ provider: lexicalEncoder(), weight: 1 }];
  if (embeddings) encoders.push({ provider: embeddings, weight: EMBEDDING_WEIGHT });
  return createIntentClassifier({ encoders, examples: INTENT_EXAMPLES, threshold });
}

/** The lexical encoder with IDF weights from the examples. */
export function lexicalEncoder() {
  return createLexicalEncoder(4096, INTENT_EXAMPLES.map((x) => modelText(x.text)));
}
