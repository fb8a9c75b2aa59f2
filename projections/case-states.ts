// The domain state of a case just before a given stream version, for every case projection of this process: folded
// once from the log and shared, instead of each read model keeping (and writing, and reading back) its own copy of
// every case's state. A state is a fact of the log (the fold of a stream's first N events never changes), so one
// state serves every read model, whatever its checkpoint: a read model at any position asks for the version it needs.
//
// Bounded: the last few versions of the most recently used cases stay in memory (a least-recently-used map of
// `maxCases`); a case not there is folded again from its stream, one read of the store for all the cases a batch
// misses (and concurrent batches asking for the same case share that read).
import type { EventStore, RecordedEvent } from '../commands/event-store/port.js'
import type { ReportEvent } from '../domain/events.js'
import { reportStream } from '../domain/events.js'
import type { ReportCase } from '../domain/report/state.js'
import { setRecent } from '../commands/platform/recent-map.js'
import { evolveCase } from './case-view.js'

export interface CaseStates {
  /**
   * For each case, its state just before the given stream version (the fold of its events 1 … version−1; undefined
   * before the case exists).
   */
  before(wanted: ReadonlyMap<string, number>): Promise<Map<string, ReportCase | undefined>>
  /** A state a read model folded (kept for the next batch and the other read models). */
  keep(caseId: string, state: ReportCase): void
  /** Cases asked for, and of them folded again from the store (not found in memory), since the start. */
  readonly stats: { asked: number; read: number }
}

export interface CaseStatesOptions {
  /**
   * Cases kept in memory (default 5,000: a 100k rebuild found every state it asked for in memory with 5,000 as with
   * 20,000, a quarter GB less at its peak).
   */
  maxCases?: number
  /** Versions kept per case (default 3: read models a batch or two apart all find theirs). */
  versionsPerCase?: number
}

export function createCaseStates(store: Pick<EventStore, 'readStreams'>, opts: CaseStatesOptions = {}): CaseStates {
  const maxCases = Math.max(1, opts.maxCases ?? 5_000)
  const perCase = opts.versionsPerCase ?? 3
  const stats = { asked: 0, read: 0 }
  const cache = new Map<string, ReportCase[]>()
  // folds in flight, by case: a concurrent batch missing the same case waits for the same read
  const inFlight = new Map<string, Promise<RecordedEvent<ReportEvent>[]>>()

  const touch = (caseId: string, list: ReportCase[]) => setRecent(cache, caseId, list, maxCases)

  function keep(caseId: string, state: ReportCase) {
    const list = cache.get(caseId) ?? []
    if (!list.some((s) => s.version === state.version)) {
      list.push(state)
      list.sort((a, b) => a.version - b.version)
      if (list.length > perCase) list.splice(0, list.length - perCase)
    }
    touch(caseId, list)
  }

  /** The newest kept state at or below `version` (a fold continues from it). */
  function nearest(caseId: string, version: number): ReportCase | undefined {
    const list = cache.get(caseId)
    if (!list) return undefined
    let best: ReportCase | undefined
    for (const s of list) if (s.version <= version && (!best || s.version > best.version)) best = s
    if (best) touch(caseId, list)
    return best
  }

  async function streamsOf(caseIds: readonly string[]): Promise<Map<string, RecordedEvent<ReportEvent>[]>> {
    const out = new Map<string, RecordedEvent<ReportEvent>[]>()
    const toRead = caseIds.filter((id) => !inFlight.has(id))
    if (toRead.length) {
      const read = store.readStreams<ReportEvent>(toRead.map(reportStream))
      for (const id of toRead) {
        const one = read.then((m) => m.get(reportStream(id)) ?? [])
        one.catch(() => {})
        inFlight.set(id, one)
      }
      read.finally(() => toRead.forEach((id) => inFlight.delete(id))).catch(() => {})
    }
    // the promises taken now: a read that ends while this waits removes its cases from inFlight
    const pending = caseIds.map((id) => [id, inFlight.get(id)!] as const)
    for (const [id, p] of pending) out.set(id, await p)
    return out
  }

  async function before(wanted: ReadonlyMap<string, number>): Promise<Map<string, ReportCase | undefined>> {
    const out = new Map<string, ReportCase | undefined>()
    const missing: string[] = []
    stats.asked += wanted.size
    for (const [caseId, version] of wanted) {
      if (version <= 1) {
        out.set(caseId, undefined)
        continue
      }
      const s = nearest(caseId, version - 1)
      if (s && s.version === version - 1) out.set(caseId, s)
      else missing.push(caseId)
    }
    if (missing.length) {
      stats.read += missing.length
      const streams = await streamsOf(missing)
      for (const caseId of missing) {
        const target = wanted.get(caseId)! - 1
        let state = nearest(caseId, target)
        for (const e of streams.get(caseId)!) {
          if (e.streamVersion <= (state?.version ?? 0)) continue
          if (e.streamVersion > target) break
          state = evolveCase(state, e)
          if (state) keep(caseId, state)
        }
        out.set(caseId, state)
      }
    }
    return out
  }

  return { before, keep, stats }
}
