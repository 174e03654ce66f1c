/**
 * Chooses the embedding provider from configuration (AI_PROVIDER). Callers only see
 * EmbeddingProvider; the model id it reports is stored beside every vector.
 */
import type { Config } from '../../config';
import { LOCAL_MODELS, localModelRoot, type LocalModelName } from '../models';
import { LocalEmbeddingProvider } from './local';
import { OpenAIEmbeddingProvider } from './openai';
import type { EmbeddingProvider } from './types';

export function createEmbeddingProvider(config: Config): EmbeddingProvider {
  switch (config.AI_PROVIDER) {
    case 'local':
      return new LocalEmbeddingProvider(config.LOCAL_EMBEDDING_MODEL, localModelRoot(config), { spin: config.LOCAL_EMBEDDING_SPIN });
    case 'openai':
      return new OpenAIEmbeddingProvider(config);
  }
}

/**
 * Providers by stored model id, for the pipeline (active + building model) and search. A local
 * model is served by name; an OpenAI-compatible one only if it is the configured one.
 */
export function createProviderRegistry(config: Config): (model: string) => EmbeddingProvider {
  const cache = new Map<string, EmbeddingProvider>();
  const configured = createEmbeddingProvider(config);
  cache.set(configured.model, configured);
  return (model) => {
    const hit = cache.get(model);
    if (hit) return hit;
    const local = /^local\/(.+)$/.exec(model)?.[1];
    if (local && local in LOCAL_MODELS) {
      const p = new LocalEmbeddingProvider(local as LocalModelName, localModelRoot(config), { spin: config.LOCAL_EMBEDDING_SPIN });
      cache.set(model, p);
      return p;
    }
    throw new Error(`no provider for embedding model ${model}: configure AI_PROVIDER/EMBEDDING_MODEL to serve it`);
  };
}
