/**
 * The default provider: a sentence-embedding model run in-process on the CPU by
 * @huggingface/transformers (ONNX Runtime), from weights on local disk only
 * (`allowRemoteModels = false`): no text ever leaves the machine.
 *
 * Inference runs on a worker thread: tokenising and pooling are synchronous JavaScript that would
 * otherwise stall the Temporal worker's event loop (heartbeats, polls) for the length of a batch,
 * and ONNX Runtime's typed arrays must come from the realm that loaded it (Jest's sandbox differs).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LOCAL_MODELS, onnxFile, type LocalModelName, type LocalModelSpec } from '../models';
import type { EmbeddingProvider } from './types';

/** Texts per forward pass: bounds memory (batch x longest text) without losing much throughput. */
const BATCH = 16;

/**
 * ONNX Runtime's thread pools spin waiting for work between operators unless told not to. Spinning
 * buys a little latency on idle cores; on cores shared with PostgreSQL, the API and other workers
 * it burns the CPU they need, and the spinning threads steal time from the ones doing the work:
 * bge-small int8, 256 texts in calls of 16, 6 interleaved rounds, nice 5 on 2 cores at load 11
 * (session 11): 148 vs 129 texts/s, 7.3 vs 9.7 ms of CPU per text (bench/SEARCH.md). Off by
 * default (config LOCAL_EMBEDDING_SPIN).
 */
const sessionOptions = (spin: boolean) => {
  const allow = spin ? '1' : '0';
  return { extra: { session: { intra_op: { allow_spinning: allow }, inter_op: { allow_spinning: allow } } } };
};

/** The thread's code, plain CommonJS (the thread does not go through tsx or SWC). */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hf = require(workerData.transformers);
hf.env.allowRemoteModels = false;
hf.env.allowLocalModels = true;
hf.env.localModelPath = workerData.root;
const ready = hf.pipeline('feature-extraction', workerData.name, { dtype: workerData.dtype, session_options: workerData.sessionOptions });
ready.catch(() => undefined);
parentPort.on('message', async ({ id, texts }) => {
  try {
    const extract = await ready;
    const out = [];
    for (let i = 0; i < texts.length; i += workerData.batch) {
      const t = await extract(texts.slice(i, i + workerData.batch), { pooling: workerData.pooling, normalize: true });
      out.push(...t.tolist());
    }
    parentPort.postMessage({ id, vectors: out });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

export interface LocalProviderOptions {
  /** Let ONNX Runtime's threads spin between operators (default false; see sessionOptions). */
  spin?: boolean;
}

interface Pending {
  resolve(v: number[][]): void;
  reject(e: Error): void;
}

export class LocalEmbeddingProvider implements EmbeddingProvider {
  readonly model: string;
  readonly dimensions: number;
  readonly spec: LocalModelSpec;
  private thread: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /**
   * @param name - a model of src/ai/models.ts
   * @param modelRoot - folder with one subfolder per model (see localModelRoot())
   * @param opts - ONNX Runtime's threading (config LOCAL_EMBEDDING_SPIN)
   */
  constructor(
    name: LocalModelName,
    private readonly modelRoot: string,
    private readonly opts: LocalProviderOptions = {},
  ) {
    this.spec = LOCAL_MODELS[name];
    this.model = `local/${this.spec.name}`;
    this.dimensions = this.spec.dimensions;
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const dir = path.join(this.modelRoot, this.spec.name);
    if (!existsSync(path.join(dir, 'onnx', onnxFile(this.spec)))) {
      throw new Error(`embedding model ${this.spec.name} is not installed in ${dir}: run \`npx tsx scripts/ensure-tools.ts\` (or set AI_MODEL_DIR)`);
    }
    const thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        transformers: require.resolve('@huggingface/transformers'),
        root: this.modelRoot + path.sep,
        name: this.spec.name,
        pooling: this.spec.pooling,
        dtype: this.spec.dtype,
        batch: BATCH,
        sessionOptions: sessionOptions(this.opts.spin ?? false),
      },
    });
    // An idle provider must not keep a CLI or test process alive.
    thread.unref();
    const failAll = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.thread = undefined;
    };
    thread.on('message', (m: { id: number; vectors?: number[][]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) thread.unref();
      if (m.error !== undefined) p.reject(new Error(`local embedding model ${this.spec.name} failed: ${m.error}`));
      else p.resolve(m.vectors ?? []);
    });
    thread.on('error', (err) => failAll(err));
    thread.on('exit', (code) => failAll(new Error(`local embedding thread exited (${code})`)));
    this.thread = thread;
    return thread;
  }

  /** Passages (the pipeline's chunks) get the model's passage prefix (e5); most have none. */
  async embed(texts: readonly string[]): Promise<number[][]> {
    const prefix = this.spec.passagePrefix;
    return this.run(prefix ? texts.map((t) => prefix + t) : texts);
  }

  private async run(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const thread = this.start();
    const id = this.nextId++;
    const result = new Promise<number[][]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // Keep the process alive while an answer is owed.
    thread.ref();
    thread.postMessage({ id, texts: [...texts] });
    return result;
  }

  /** Queries get the model's retrieval instruction (bge); passages are embedded as they are. */
  async embedQuery(text: string): Promise<number[]> {
    const [v] = await this.run([this.spec.queryPrefix + text]);
    return v!;
  }

  /** Ends the thread (tests, CLI); the next call starts a new one. */
  async close(): Promise<void> {
    const t = this.thread;
    this.thread = undefined;
    if (t) await t.terminate();
  }
}
