/**
 * The embedding provider the evaluation uses beside the lexical encoder: none until the local
 * provider (src/ai/providers/) is available in this tree.
 */
import type { EmbeddingProvider } from '../../src/ai/providers/types';

export async function loadEmbeddingProvider(): Promise<EmbeddingProvider | null> {
  return null;
}
