// Lag, status and metrics of the projections, and read-your-writes waiting. Functions over the database and the
// event store only, so the HTTP process can serve /status and /metrics without running the projections itself.
import type { Database } from '../commands/platform/database.js'
import { comparePositions, positionToString, type EventStore, type LogPosition } from '../commands/event-store/port.js'
import { readCheckpoints } from './catalog.js'

/** Counting further than this many unprocessed events is not worth the read: lagEvents is then a lower bound. */
export const LAG_SCAN_LIMIT = 10_000

export interface ProjectionLag {
  name: string
  version: number
  status: 'live' | 'building'
  checkpoint: string
  head: string
  /** Events in the log after the checkpoint (at most LAG_SCAN_LIMIT; see capped). */
  lagEvents: number
  capped: boolean
  /** Milliseconds since the oldest unprocessed event was recorded (0 when caught up). */
  lagMs: number
  updatedAt: string
}

export async function getLag(db: Database, store: EventStore, names?: readonly string[], now: () => number = Date.now): Promise<ProjectionLag[]> {
  const [head, checkpoints] = await Promise.all([store.headPosition(), readCheckpoints(db, true)])
  const wanted = checkpoints.filter((cp) => !names || names.includes(cp.name))
  // one read of the log from the oldest checkpoint behind the head serves every projection
  const behind = wanted.filter((cp) => comparePositions(cp.position, head) < 0)
  const oldest = behind.reduce<LogPosition | undefined>((m, cp) => (!m || comparePositions(cp.position, m) < 0 ? cp.position : m), undefined)
  const tail = oldest ? await store.readAll({ ...(oldest.commit >= 0n ? { after: oldest } : {}), limit: LAG_SCAN_LIMIT }) : []
  const capped = tail.length >= LAG_SCAN_LIMIT
  const out: ProjectionLag[] = []
  for (const cp of wanted) {
    let lagEvents = 0
    let lagMs = 0
    let lowerBound = false
    if (comparePositions(cp.position, head) < 0) {
      const first = tail.findIndex((e) => comparePositions(e.position, cp.position) > 0)
      // a checkpoint past the scanned window (far ahead of the oldest): read its own tail
      const own = first < 0 && capped ? await store.readAll({ after: cp.position, limit: LAG_SCAN_LIMIT }) : first < 0 ? [] : tail.slice(first)
      lagEvents = own.length
      const e = own[0]
      lagMs = e ? Math.max(0, now() - e.recordedAt.getTime()) : 0
      lowerBound = first >= 0 ? capped : own.length >= LAG_SCAN_LIMIT
    }
    out.push({
      name: cp.name,
      version: cp.version,
      status: cp.status,
      checkpoint: positionToString(cp.position),
      head: positionToString(head),
      lagEvents,
      capped: lowerBound,
      lagMs,
      updatedAt: cp.updatedAt.toISOString(),
    })
  }
  return out
}

const label = (s: string) => s.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))

/** Prometheus text exposition of the lag of the live projections (and of versions being rebuilt). */
export function renderMetrics(lags: readonly ProjectionLag[]): string {
  const live = lags.filter((l) => l.status === 'live')
  const lines = [
    '# HELP baobei_projection_lag_events Events in the log not yet applied by the projection.',
    '# TYPE baobei_projection_lag_events gauge',
    ...live.map((l) => `baobei_projection_lag_events{projection="${label(l.name)}"} ${l.lagEvents}`),
    '# HELP baobei_projection_lag_seconds Age of the oldest event not yet applied by the projection.',
    '# TYPE baobei_projection_lag_seconds gauge',
    ...live.map((l) => `baobei_projection_lag_seconds{projection="${label(l.name)}"} ${(l.lagMs / 1000).toFixed(3)}`),
    '# HELP baobei_projection_version Live version of the projection.',
    '# TYPE baobei_projection_version gauge',
    ...live.map((l) => `baobei_projection_version{projection="${label(l.name)}"} ${l.version}`),
    '# HELP baobei_projection_rebuilding 1 while a new version of the projection is being built.',
    '# TYPE baobei_projection_rebuilding gauge',
    ...live.map((l) => `baobei_projection_rebuilding{projection="${label(l.name)}"} ${lags.some((b) => b.name === l.name && b.status === 'building') ? 1 : 0}`),
  ]
  return lines.join('\n') + '\n'
}

export interface ProjectionStatus {
  ok: boolean
  /** A projection more than this far behind makes ok false. */
  thresholdMs: number
  projections: ProjectionLag[]
}

export function statusObject(lags: readonly ProjectionLag[], thresholdMs = 30_000): ProjectionStatus {
  return { ok: lags.every((l) => l.status !== 'live' || l.lagMs <= thresholdMs), thresholdMs, projections: [...lags] }
}

/** /status JSON and /metrics text in one call each, for the HTTP routes. */
export async function projectionStatus(db: Database, store: EventStore, thresholdMs?: number): Promise<ProjectionStatus> {
  return statusObject(await getLag(db, store), thresholdMs)
}
export async function projectionMetrics(db: Database, store: EventStore): Promise<string> {
  return renderMetrics(await getLag(db, store))
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Read-your-writes: resolves true once the live checkpoints of `names` are at or past `position`
 * (e.g. an AppendResult.lastPosition), false after timeoutMs. Polls the checkpoint table (cheap, indexed).
 */
export async function waitForProjections(db: Database, position: LogPosition, names: readonly string[], timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  let delay = 5
  for (;;) {
    // a dropped connection is not an answer: try again until the deadline (the pool replaces the connection)
    const cps = await readCheckpoints(db).catch((e: unknown) => {
      if (Date.now() >= deadline) throw e
      return undefined
    })
    const done = cps !== undefined && names.every((n) => {
      const cp = cps.find((c) => c.name === n)
      return cp !== undefined && comparePositions(cp.position, position) >= 0
    })
    if (done) return true
    const left = deadline - Date.now()
    if (left <= 0) return false
    await sleep(Math.min(delay, left))
    delay = Math.min(delay * 2, 50)
  }
}
