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

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite'
  /** Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>
  /** LISTEN on a channel; returns an unlisten function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}
