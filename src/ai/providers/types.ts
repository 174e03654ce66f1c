/**
 * The one interface every AI provider implements. `local` (an ONNX model in-process, the
 * default, so patient data never leaves the premises) and `openai` (any OpenAI-compatible
 * server) are chosen by configuration; callers only see this.
 */
export interface EmbeddingProvider {
  /** Stored beside every vector: vectors of two models are never compared. */
  readonly model: string;
  /** Length of the vectors `embed` returns. */
  readonly dimensions: number;
  /** One vector per text, in order, L2-normalised (cosine = dot product). */
  embed(texts: readonly string[]): Promise<number[][]>;
  /**
   * Optional: a search query's vector when the model embeds queries differently from passages
   * (bge's retrieval instruction); callers fall back to `embed([q])`.
   */
  embedQuery?(text: string): Promise<number[]>;
}

/** Optional: a chat model may phrase summaries; numbers always come from the data. */
export interface ChatProvider {
  readonly model: string;
  complete(system: string, user: string): Promise<string>;
}
