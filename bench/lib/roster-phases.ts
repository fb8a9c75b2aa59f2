// Where the roster's time goes: the phases of generating a day's file run one after the other (no prefetch), each
// timed in CPU (this process, and the database backend of its one connection) rather than wall time, which a shared
// machine makes noisy. The reads are kept in memory to time the fold and the encoding on their own (a profile
// only: the generator itself streams).
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Database } from '../../commands/platform/database.js'
import { addDays, isoToRoc, taipeiDayBounds } from '../../domain/roc-date.js'
import type { IsoDate } from '../../domain/types.js'
import { dayRosterBatches } from '../../exporter/day-roster.js'
import { writeRosterFile } from '../../exporter/roster-file.js'
import { ROSTER_FOLD_TYPES } from '../../exporter/roster-fold.js'
import type { RosterDetail } from '../../exporter/roster-format.js'
import { postgresRosterSource, type LogEvent, type RosterSource } from '../../exporter/roster-source.js'
import { RosterVerifier } from '../../exporter/roster-verify.js'
import { trackDatabaseCpu } from './cpu.js'

export interface RosterPhase {
  phase: string
  /** CPU ms of this process. */
  nodeMs: number
  /** CPU ms of the database backend (null when unknown). */
  dbMs: number | null
  wallMs: number
}

const BATCH = 500 // the generator's default (day-roster.ts)

/** `db` should be a pool of one connection, so that one backend's CPU is the database's share. */
export async function rosterPhases(db: Database, day: IsoDate): Promise<{ phases: RosterPhase[]; records: number }> {
  const phases: RosterPhase[] = []
  const timed = async <T>(phase: string, f: () => Promise<T>): Promise<T> => {
    const dbCpu = await trackDatabaseCpu(db)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const out = await f()
    const wallMs = performance.now() - t0
    const node = process.cpuUsage(cpu0)
    const dbSeconds = await dbCpu.stop()
    phases.push({ phase, nodeMs: (node.user + node.system) / 1000, dbMs: dbSeconds === null ? null : dbSeconds * 1000, wallMs })
    return out
  }
  const source = postgresRosterSource(db)
  const [from, to] = taipeiDayBounds(day)
  const approvals = await timed('approvals of the day (one statement, JSON pages)', async () => {
    const all: LogEvent[] = []
    for await (const a of source.approvals(new Date(from), new Date(to))) all.push(a)
    return all
  })
  const batches: { upTo: Map<string, number>; streams: Map<string, LogEvent[]> }[] = []
  await timed('case events of each batch (SQL, rows, data objects)', async () => {
    for (let i = 0; i < approvals.length; i += BATCH) {
      const upTo = new Map<string, number>()
      for (const a of approvals.slice(i, i + BATCH)) upTo.set(a.stream, Math.max(upTo.get(a.stream) ?? 0, a.streamVersion - 1))
      batches.push({ upTo, streams: await source.readStreams(upTo, ROSTER_FOLD_TYPES) })
    }
  })
  // the same reads again, from memory, in the generator's batches
  let next = 0
  const memory: RosterSource = {
    async *approvals() {
      yield* approvals
    },
    async readStreams(upTo) {
      const b = batches[next++]
      if (!b || b.upTo.size !== upTo.size || [...upTo].some(([s, v]) => b.upTo.get(s) !== v)) throw new Error('batches out of step')
      return b.streams
    },
  }
  const details = await timed('fold and records', async () => {
    const out: RosterDetail[] = []
    for await (const batch of dayRosterBatches(memory, day, { batchSize: BATCH, prefetch: 1 })) for (const d of batch) out.push(d)
    return out
  })
  const dir = await mkdtemp(join(tmpdir(), 'bb-roster-phases-'))
  try {
    const path = join(dir, 'roster.txt')
    await timed('encoding, digest and write (fsync)', () =>
      writeRosterFile(path, { day: isoToRoc(day), sequence: 1, senderCode: 'BENCH00001', createdAt: `${isoToRoc(addDays(day, 1))}010000` }, (async function* () {
        for (let i = 0; i < details.length; i += BATCH) yield details.slice(i, i + BATCH)
      })()),
    )
    await timed('self-verification (read back)', async () => {
      const v = new RosterVerifier()
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) v.push(chunk as Buffer)
      if (!v.finish().ok) throw new Error('the profiled file does not verify')
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return { phases, records: details.length }
}
