// PostgreSQL refuses a new connection while its connection slots are full (53300 too_many_connections: the server's
// max_connections, a role's or a database's CONNECTION LIMIT) or while it starts or shuts down (57P03
// cannot_connect_now). Both are refused at the connection's start, before any statement is sent, so trying the
// connection again can neither run a statement twice nor lose one. Momentary: two instances overlapping during a
// deploy, a burst of short-lived connections from an import or a test run beside the server. A request waits a
// bounded time for a slot instead of failing at once; past the bound the server's error is the answer.

/** SQLSTATEs PostgreSQL answers to a connection it cannot take now; nothing was sent on it. */
export const REFUSED_AT_CONNECT: ReadonlySet<string> = new Set(['53300', '57P03'])

export interface ConnectRetry {
  /** How long in all to keep trying (ms; default 5,000). */
  withinMs: number
  /** The first wait (ms; default 20), doubled after each refusal up to `maxWaitMs` (default 500). */
  firstWaitMs: number
  maxWaitMs: number
}

export const DEFAULT_CONNECT_RETRY: ConnectRetry = { withinMs: 5_000, firstWaitMs: 20, maxWaitMs: 500 }

const refusedAtConnect = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' && REFUSED_AT_CONNECT.has(code)
}

/**
 * Runs `attempt` (which opens a connection, and may then use it) again while PostgreSQL refuses the connection, with
 * a doubling wait, until `withinMs` has passed; any other error, or a refusal past the bound, is thrown as it came.
 */
export async function retryRefusedConnect<T>(attempt: () => Promise<T>, retry: ConnectRetry = DEFAULT_CONNECT_RETRY): Promise<T> {
  const deadline = Date.now() + retry.withinMs
  let wait = retry.firstWaitMs
  for (;;) {
    try {
      return await attempt()
    } catch (e) {
      if (!refusedAtConnect(e) || Date.now() + wait > deadline) throw e
      await new Promise((resolve) => setTimeout(resolve, wait))
      wait = Math.min(wait * 2, retry.maxWaitMs)
    }
  }
}
