// One handle over PostgreSQL (pg Pool) or embedded PostgreSQL (PGlite). Events and read models share it.
export interface QueryResult<R> {
  rows: R[]
  rowCount: number
}

export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>
  /** Runs a script of one or more statements without parameters (migrations). */
  exec(script: string): Promise<void>
  /**
   * `COPY ... FROM STDIN` (text format) fed with the given chunks, on this connection (inside its transaction).
   * Only a PostgreSQL transaction has it; PGlite and the pool do not (callers fall back to INSERT).
   */
  copyFrom?(copySql: string, chunks: Iterable<Buffer>): Promise<void>
}

/**
 * The application_name suffix of the connections that write read models only (the projection runner's): the event
 * store's readers do not wait for their transactions (postgres-event-store.ts, HORIZON), and the events table
 * refuses their inserts (event-store/005). Our code never changes a connection's application_name after it opens.
 */
export const READ_MODEL_WRITERS_SUFFIX = '/read-models'

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite'
  /**
   * A pool of its own for the projection runner, named with READ_MODEL_WRITERS_SUFFIX (opened on first use, closed
   * with this one). Absent where there is one connection (PGlite: transactions never overlap).
   */
  readModelWriters?(): Database
  /** Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>
  /** LISTEN on a channel; returns an unlisten function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}
