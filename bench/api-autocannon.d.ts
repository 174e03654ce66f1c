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
    requests?: Array<{ setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }>;
  }
  function autocannon(opts: Options): Instance;
  export = autocannon;
}
