/**
 * The intent classifier as the legacy migration uses it on free staff text (dispatch_record
 * texts the rule catalogue does not match): built once per run, fed in batches.
 *
 * The classifier (src/ai/intent/) embeds one text per call. A sentence-embedding model is far
 * cheaper per text in batches, so the migration wraps the provider: before a batch of records is
 * classified, all of its free texts are embedded in one pass (`prefetch`), and the classifier's
 * per-text calls are served from that cache. Identical texts (staff repeat themselves: "ok",
 * "please expedite") are classified once per run, up to a bound, so memory stays flat.
 */
import { createDefaultIntentClassifier, type ModelIntentClassifier } from '../ai/intent';
import { modelText } from '../ai/intent/classifier';
import type { EmbeddingProvider } from '../ai/providers/types';
import type { IntentClassifier, IntentResult } from '../ai/intent/types';

/** An IntentClassifier that can take many texts at once and says which model it is. */
export interface BatchIntentClassifier extends IntentClassifier {
  /** Model ids joined with '+', recorded with every classified transition. */
  readonly model: string;
  /** Below this confidence the classifier answers 'none' (not understood). */
  readonly threshold: number;
  /** One result per text, in order. */
  classifyMany(texts: readonly string[]): Promise<IntentResult[]>;
}

/** Texts per call to the embedding model. */
const EMBED_BATCH = 64;
/**
 * Distinct texts whose results are kept; the memo is cleared when it grows past this. Each result
 * carries its evidence (a few KB), so the bound is what the memo costs at any scale: at 20,000 the
 * 1M-row bench's heap grew with the data (the memo filled only past ~250k rows, one note per case),
 * at 5,000 it fills at every scale. Repeated texts ("ok", "please expedite") recur within far fewer.
 */
const MEMO_LIMIT = 5_000;

/** Serves `embed` from vectors computed ahead in batches; misses go to the wrapped provider. */
class PrefetchingProvider implements EmbeddingProvider {
  private cache = new Map<string, number[]>();
  constructor(private readonly inner: EmbeddingProvider) {}
  get model() {
    return this.inner.model;
  }
  get dimensions() {
    return this.inner.dimensions;
  }
  async prefetch(texts: readonly string[]): Promise<void> {
    const todo = [...new Set(texts)].filter((t) => !this.cache.has(t));
    for (let i = 0; i < todo.length; i += EMBED_BATCH) {
      const chunk = todo.slice(i, i + EMBED_BATCH);
      const vectors = await this.inner.embed(chunk);
      chunk.forEach((t, j) => this.cache.set(t, vectors[j]!));
    }
  }
  clear() {
    this.cache.clear();
  }
  async embed(texts: readonly string[]): Promise<number[][]> {
    const miss = texts.filter((t) => !this.cache.has(t));
    if (miss.length === texts.length) return this.inner.embed(texts);
    if (miss.length > 0) await this.prefetch(miss);
    return texts.map((t) => this.cache.get(t)!);
  }
}

/** Wraps a classifier (and the provider it was built on, if any) for batches. */
export function batchClassifier(
  classifier: ModelIntentClassifier,
  prefetching: { prefetch(texts: readonly string[]): Promise<void>; clear(): void } | null,
  memoLimit = MEMO_LIMIT,
): BatchIntentClassifier {
  const memo = new Map<string, IntentResult>();
  return {
    model: classifier.models.join('+'),
    threshold: classifier.threshold,
    classify: (text) => classifier.classify(text),
    async classifyMany(texts) {
      const distinct = [...new Set(texts)];
      let todo = distinct.filter((t) => !memo.has(t));
      if (todo.length > 0) {
        // Clearing drops this batch's remembered texts too: classify the whole batch again then
        // (found by the 1M-row bench, where the memo first overflowed).
        if (memo.size + todo.length > memoLimit) {
          memo.clear();
          todo = distinct;
        }
        await prefetching?.prefetch(todo.map(modelText));
        for (const t of todo) memo.set(t, await classifier.classify(t));
        prefetching?.clear();
      }
      return texts.map((t) => memo.get(t)!);
    },
  };
}

/**
 * The application's default classifier (lexical encoder, plus the embedding model when given),
 * built once for a whole run. If the model cannot be loaded, the lexical encoder serves alone
 * at its own threshold and `onFallback` says why.
 */
export async function createMigrationClassifier(embeddings: EmbeddingProvider | null, onFallback?: (err: unknown) => void): Promise<BatchIntentClassifier> {
  const prefetching = embeddings ? new PrefetchingProvider(embeddings) : null;
  const classifier = await createDefaultIntentClassifier(prefetching, onFallback);
  // The lexical fallback does not use the provider: nothing to prefetch then.
  const usesProvider = prefetching !== null && classifier.models.includes(prefetching.model);
  return batchClassifier(classifier, usesProvider ? prefetching : null);
}
