import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFromStdin } from 'pg-copy-streams'
import { DEFAULT_CONNECT_RETRY, retryRefusedConnect, type ConnectRetry } from './connect-retry.js'
import { READ_MODEL_WRITERS_SUFFIX, type Database, type QueryResult, type Sql } from './database.js'

// bigint (int8) and xid8 come back as strings; keep them as strings and let callers BigInt() them.
export function createPostgresDatabase(connectionString: string, options: { max?: number; applicationName?: string; connectRetry?: ConnectRetry } = {}): Database {
  const connectRetry = options.connectRetry ?? DEFAULT_CONNECT_RETRY
  const connect = <T>(attempt: () => Promise<T>) => retryRefusedConnect(attempt, connectRetry)
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: options.applicationName ?? 'baobei' })
  // A dropped backend must not crash the process: the next query gets a new connection.
  pool.on('error', () => {})
  // Every pooled client keeps a listener of its own for its whole life: a backend terminated between the pool's
  // hand-over points (a query that just ended, a client being removed) otherwise emits 'error' with no listener and
  // kills the process. The failing query still gets its error; the pool drops the dead client.
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  // On the pool a query first takes a connection, which the server may refuse for want of slots (connect-retry.ts):
  // nothing was sent then, and the query waits a bounded time for one. On a client it is sent at once.
  const wrap = (c: pg.Pool | pg.PoolClient, client?: pg.PoolClient): Sql => ({
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const r = client ? await c.query(text, params as unknown[] | undefined) : await connect(() => c.query(text, params as unknown[] | undefined))
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 }
    },
    async exec(script: string) {
      if (client) await c.query(script)
      else await connect(() => c.query(script))
    },
    // COPY needs one connection: only a transaction's client has it
    ...(client
      ? {
          async copyFrom(copySql: string, chunks: Iterable<Buffer>) {
            await pipeline(Readable.from(chunks), client.query(copyFromStdin(copySql)))
          },
        }
      : {}),
  })
  let writers: Database | undefined
  const listeners = new Map<string, Set<(p: string) => void>>()
  let listenClient: pg.Client | undefined
  let listenQueue: Promise<void> = Promise.resolve()
  let connecting: Promise<pg.Client> | undefined
  let closed = false
  const ensureListener = async (): Promise<pg.Client> => {
    if (listenClient) return listenClient
    if (connecting) return connecting
    connecting = connect(async () => {
      const c = new pg.Client({ connectionString, application_name: `${options.applicationName ?? 'baobei'}-listen` })
      c.on('notification', (n) => listeners.get(n.channel)?.forEach((f) => f(n.payload ?? '')))
      c.on('error', () => {
        // a client whose connection was refused is dropped here (the retry makes another), not reconnected
        if (c !== listenClient) return
        // reconnect lazily; tell every listener to re-check (it may have missed notifications)
        listenClient = undefined
        connecting = undefined
        if (closed) return
        setTimeout(() => {
          if (closed || listeners.size === 0) return
          ensureListener()
            .then(async (nc) => {
              const relisten = listenQueue.then(async () => {
                for (const ch of listeners.keys()) await nc.query(`LISTEN "${ch}"`)
              })
              listenQueue = relisten.catch(() => {})
              await relisten
              listeners.forEach((fs) => fs.forEach((f) => f('')))
            })
            .catch(() => {})
        }, 500)
      })
      await c.connect()
      listenClient = c
      return c
    })
    try {
      return await connecting
    } finally {
      connecting = undefined
    }
  }
  const name = options.applicationName ?? 'baobei'
  return {
    kind: 'postgres',
    ...wrap(pool),
    readModelWriters(this: Database) {
      if (name.endsWith(READ_MODEL_WRITERS_SUFFIX)) return this
      // application_name is at most 63 bytes: the base is cut, never the suffix
      writers ??= createPostgresDatabase(connectionString, { max: options.max ?? 10, connectRetry, applicationName: `${name.slice(0, 63 - READ_MODEL_WRITERS_SUFFIX.length)}${READ_MODEL_WRITERS_SUFFIX}` })
      return writers
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await connect(() => pool.connect())
      let broken = false
      // A connection terminated while checked out emits 'error' on the client; without a listener that is an
      // uncaught exception that kills the process. Mark it broken so release() destroys it instead of pooling it.
      const onError = () => {
        broken = true
      }
      client.on('error', onError)
      try {
        await client.query('BEGIN')
        const result = await fn(wrap(client, client))
        await client.query('COMMIT')
        return result
      } catch (e) {
        try {
          await client.query('ROLLBACK')
        } catch {
          broken = true
        }
        throw e
      } finally {
        // A broken client is destroyed by release(true) and the pool no longer listens to it, yet the terminated
        // socket can still deliver its error afterwards: keep our listener on it. A healthy one goes back to the
        // pool, whose idle listener takes over.
        if (!broken) client.off('error', onError)
        client.release(broken)
      }
    },
    async listen(channel, onNotify) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel ${channel}`)
      const c = await ensureListener()
      // Looked up after the await: callers racing here share one set (and one LISTEN), none replaces another's.
      let set = listeners.get(channel)
      if (!set) {
        set = new Set()
        listeners.set(channel, set)
        // one query at a time on the listening client (pg deprecates overlapping queries on one client)
        const listening = listenQueue.then(() => c.query(`LISTEN "${channel}"`))
        listenQueue = listening.then(
          () => {},
          () => {},
        )
        await listening
      }
      set.add(onNotify)
      return async () => {
        set!.delete(onNotify)
      }
    },
    async close() {
      closed = true
      if (listenClient) await listenClient.end().catch(() => {})
      await writers?.close()
      await pool.end()
    },
  }
}
