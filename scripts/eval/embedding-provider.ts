/**
 * The embedding provider the evaluation uses beside the lexical encoder: the configured one
 * (AI_PROVIDER, LOCAL_EMBEDDING_MODEL; the local ONNX model by default), or null when its weights
 * are not installed (`npm run up` / the test setup fetch them).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { localModelRoot } from '../../src/ai/models';
import { createEmbeddingProvider } from '../../src/ai/providers';
import type { EmbeddingProvider } from '../../src/ai/providers/types';

export async function loadEmbeddingProvider(): Promise<EmbeddingProvider | null> {
  const config = loadConfig();
  if (config.AI_PROVIDER === 'local' && !existsSync(path.join(localModelRoot(config), config.LOCAL_EMBEDDING_MODEL))) return null;
  return createEmbeddingProvider(config);
}
