/**
 * Any OpenAI-compatible embeddings endpoint (OpenAI, Azure, vLLM, Ollama, text-embeddings-inference,
 * LM Studio) through the openai package's `baseURL`. The SDK's own retries are off: the pipeline's
 * Temporal activity retries instead, so a failure is visible in history and no job is lost.
 */
import OpenAI from 'openai';
import type { Config } from '../../config';
import { EmbeddingProviderError, normalise } from './errors';
import type { EmbeddingProvider } from './types';

export class OpenAIEmbeddingProvider implements EmbeddingProvider {
  readonly model: string;
  readonly dimensions: number;
  private readonly client: OpenAI;
  private readonly apiModel: string;
  private readonly sendDimensions: boolean;

  constructor(config: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'EMBEDDING_MODEL' | 'OPENAI_TIMEOUT_MS' | 'OPENAI_EMBEDDING_DIMENSIONS'>) {
    this.apiModel = config.EMBEDDING_MODEL;
    this.dimensions = config.OPENAI_EMBEDDING_DIMENSIONS ?? 1536;
    this.sendDimensions = config.OPENAI_EMBEDDING_DIMENSIONS !== undefined;
    // Dimensions are part of the id: text-embedding-3 shortened to 512 is not comparable with 1536.
    this.model = `openai/${this.apiModel}${this.sendDimensions ? `@${this.dimensions}` : ''}`;
    this.client = new OpenAI({
      apiKey: config.OPENAI_API_KEY ?? 'unused',
      baseURL: config.OPENAI_BASE_URL,
      timeout: config.OPENAI_TIMEOUT_MS,
      maxRetries: 0,
    });
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    let res: unknown;
    try {
      res = await this.client.embeddings.create({
        model: this.apiModel,
        input: [...texts],
        // Floats, not the SDK's default base64: several compatible servers only speak floats.
        encoding_format: 'float',
        ...(this.sendDimensions ? { dimensions: this.dimensions } : {}),
      });
    } catch (err) {
      throw classify(err, this.client.baseURL);
    }
    return this.validate(res, texts.length);
  }

  /** A response that is not exactly one finite vector of the right length per text is refused whole. */
  private validate(res: unknown, count: number): number[][] {
    const data = (res as { data?: unknown } | null)?.data;
    const bad = (why: string) => new EmbeddingProviderError('malformed', `malformed embeddings response from ${this.client.baseURL}: ${why}`);
    if (!Array.isArray(data)) throw bad('no data array');
    if (data.length !== count) throw bad(`${data.length} vectors for ${count} texts`);
    const out: number[][] = new Array<number[]>(count);
    data.forEach((item: unknown, pos) => {
      const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
      const i = typeof index === 'number' ? index : pos;
      if (!Number.isInteger(i) || i < 0 || i >= count || out[i]) throw bad(`bad or repeated index ${String(index)}`);
      if (!Array.isArray(embedding) || embedding.length !== this.dimensions) {
        throw bad(`vector ${i} has ${Array.isArray(embedding) ? embedding.length : typeof embedding} dimensions, expected ${this.dimensions}`);
      }
      if (!embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad(`vector ${i} has a non-finite value`);
      out[i] = normalise([...(embedding as number[])]);
    });
    return out;
  }
}

function classify(err: unknown, baseURL: string): EmbeddingProviderError {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new EmbeddingProviderError('timeout', `embedding request to ${baseURL} timed out`);
  if (err instanceof OpenAI.APIConnectionError) return new EmbeddingProviderError('unavailable', `embedding provider ${baseURL} unreachable: ${err.message}`);
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status === 429) {
      return new EmbeddingProviderError('rate_limited', `embedding provider ${baseURL} rate-limited us (429)`, retryAfterMs(err.headers));
    }
    if (status >= 500) return new EmbeddingProviderError('unavailable', `embedding provider ${baseURL} answered ${status}`);
    return new EmbeddingProviderError('rejected', `embedding provider ${baseURL} refused the request (${status}): ${err.message}`);
  }
  // Unparseable JSON and the like surface as plain errors from the SDK.
  return new EmbeddingProviderError('malformed', `embedding provider ${baseURL}: ${(err as Error)?.message ?? String(err)}`);
}

/** Retry-After is seconds or an HTTP date; retry-after-ms (OpenAI's own) wins when present. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const s = Number(raw);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
