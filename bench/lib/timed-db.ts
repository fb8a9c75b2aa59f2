// A database handle that tells `seen` the wall time of every statement (as Node sees it, by its text and
// parameters), transactions' statements included: the page tools' view of where a request's time goes.
import type { Database, Sql } from '../../commands/platform/database.js'

export type StatementSeen = (text: string, params: readonly unknown[] | undefined, ms: number) => void

export function timedDatabase(raw: Database, seen: StatementSeen): Database {
  const timed = <S extends Sql>(s: S): S => {
    const query = (async (text: string, params?: readonly unknown[]) => {
      const t0 = performance.now()
      try {
        return await s.query(text, params)
      } finally {
        seen(text, params, performance.now() - t0)
      }
    }) as Sql['query']
    return new Proxy(s, { get: (target, p, r) => (p === 'query' ? query : Reflect.get(target, p, r)) })
  }
  return new Proxy(raw, {
    get(target, p, r) {
      if (p === 'query') return timed(raw).query
      if (p === 'transaction') return <T>(fn: (tx: Sql) => Promise<T>) => raw.transaction((tx) => fn(timed(tx)))
      return Reflect.get(target, p, r)
    },
  })
}
