// CPU seconds spent by this process and by the database's backends of one database: a figure that, unlike wall time,
// does not depend on how loaded the machine is (on a shared 2-core machine the wall time of a bulk load is mostly
// waiting for a core). The backends' CPU is read from /proc (PostgreSQL on this machine); elsewhere it is null.
import { readFileSync } from 'node:fs'
import type { Sql } from '../../commands/platform/database.js'

export interface CpuSnapshot {
  process: number
  database: number | null
}

const TICKS_PER_SECOND = 100

async function backendsCpu(db: Sql): Promise<number | null> {
  try {
    const r = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
    let ticks = 0
    for (const { pid } of r.rows) {
      // fields after "(comm) ": state ppid ... utime (14th field overall) stime (15th)
      const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(rest[11]) + Number(rest[12])
    }
    return ticks / TICKS_PER_SECOND
  } catch {
    return null
  }
}

export async function cpuSnapshot(db: Sql): Promise<CpuSnapshot> {
  const u = process.cpuUsage()
  return { process: (u.user + u.system) / 1e6, database: await backendsCpu(db) }
}

/** CPU seconds between two snapshots (the database's null when unknown, or when a backend of it ended meanwhile). */
export function cpuSpent(a: CpuSnapshot, b: CpuSnapshot): { process: number; database: number | null; total: number | null } {
  const database = a.database === null || b.database === null || b.database < a.database ? null : b.database - a.database
  const process = b.process - a.process
  return { process, database, total: database === null ? null : process + database }
}

function ticksOf(pid: number): number | undefined {
  try {
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(rest[11]) + Number(rest[12])
  } catch {
    return undefined
  }
}

async function backendPids(db: Sql): Promise<number[]> {
  const r = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
  return r.rows.map((x) => x.pid)
}

/**
 * CPU seconds of the database's backends from now until stop(), sampled every `everyMs` from /proc: a backend that
 * ends meanwhile (an idle pooled connection closed) keeps what it had used, and one that starts later counts in full.
 * null where /proc is not PostgreSQL's (another machine).
 */
export async function trackDatabaseCpu(db: Sql, everyMs = 100): Promise<{ stop(): Promise<number | null> }> {
  const first = new Map<number, number>()
  const last = new Map<number, number>()
  let known = true
  try {
    for (const pid of await backendPids(db)) {
      const t = ticksOf(pid)
      if (t === undefined) {
        known = false
      } else {
        first.set(pid, t)
        last.set(pid, t)
      }
    }
  } catch {
    known = false
  }
  const sample = () => {
    for (const pid of last.keys()) {
      const t = ticksOf(pid)
      if (t !== undefined) last.set(pid, t)
    }
  }
  const timer = setInterval(sample, everyMs)
  return {
    async stop() {
      clearInterval(timer)
      sample()
      if (!known) return null
      for (const pid of await backendPids(db).catch(() => [])) {
        if (last.has(pid)) continue
        const t = ticksOf(pid)
        if (t === undefined) continue
        first.set(pid, 0)
        last.set(pid, t)
      }
      let ticks = 0
      for (const [pid, t] of last) ticks += t - first.get(pid)!
      return ticks / TICKS_PER_SECOND
    },
  }
}
