declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      requests?: unknown[];
      headers?: Record<string, string>;
      [key: string]: unknown;
    }
    interface Histogram {
      average: number;
      mean: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      max: number;
    }
    interface Result {
      requests: Histogram & { total: number };
      latency: Histogram & { /** Computed by the bench from every response time (autocannon has no p95). */ p95?: number };
      non2xx: number;
      errors: number;
    }
  }
  function autocannon(
    opts: autocannon.Options,
    cb: (err: Error | null, result: autocannon.Result) => void,
  ): { on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void };
  export default autocannon;
}
