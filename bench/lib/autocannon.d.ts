// Minimal types of autocannon (the package ships none), for what bench/http.ts uses.
declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    max: number
  }
  interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    non2xx: number
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    pipelining?: number
    headers?: Record<string, string>
  }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', f: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this
  }
  function autocannon(o: Options): Instance
  export default autocannon
}
