/**
 * Chooses the embedding provider from configuration (AI_PROVIDER). Callers only see
 * EmbeddingProvider; the model id it reports is stored beside every vector.
 */
import type { Config } from '../../config';
import { localModelRoot } from '../models';
import { LocalEmbeddingProvider } from './local';
import { OpenAIEmbeddingProvider } from './openai';
import type { EmbeddingProvider } from './types';

export function createEmbeddingProvider(config: Config): EmbeddingProvider {
  switch (config.AI_PROVIDER) {
    case 'local':
      return new LocalEmbeddingProvider(config.LOCAL_EMBEDDING_MODEL, localModelRoot(config));
    case 'openai':
      return new OpenAIEmbeddingProvider(config);
  }
}
