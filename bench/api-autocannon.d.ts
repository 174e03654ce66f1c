/** The part of autocannon's API that bench/api-bench.ts uses (the package ships no types). */
declare module 'autocannon' {
  interface Result {
    requests: { total: number; average: number };
    latency: Record<string, number>;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
    on(event: string, fn: (...args: unknown[]) => void): this;
    stop(): void;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    maxOverallRequests?: number;
    timeout?: number;
    pipelining?: number;
    requests?: Array<{
      /** context: per connection, fresh for each request; the same object reaches onResponse */
      setupRequest?: (req: Record<string, unknown>, context: Record<string, unknown>) => Record<string, unknown>;
      onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
    }>;
  }
  function autocannon(opts: Options): Instance;
  export = autocannon;
}
