// The projection runner: the live projections in one group (live-group.ts: one subscription, one transaction per
// batch for all of them), or one subscription per projection (liveGroup: false, and a projection whose batch failed
// in the group); each batch commits the read-model rows and the checkpoints in ONE transaction, the checkpoints by
// compare-and-set. A failed batch (handler error,
// or another runner moved the checkpoint) rolls back, the checkpoint stays, and the runner backs off and resumes
// from the checkpoint it reads again: events are never skipped and never applied twice.
import type { Database } from '../commands/platform/database.js'
import { DomainError } from '../domain/errors.js'
import type { Logger } from '../commands/platform/logger.js'
import { withCorrelation } from '../commands/platform/logger.js'
import { START, comparePositions, positionToString, type EventStore, type LogPosition, type RecordedEvent, type Subscription } from '../commands/event-store/port.js'
import {
  VERSIONS_CHANNEL,
  ddlHash,
  dropTablesSql,
  ensureProjection,
  liveVersion,
  lockProjection,
  migrateProjections,
  readCheckpoint,
  readCheckpoints,
} from './catalog.js'
import { buildDdl, type BuildDdl } from './build-ddl.js'
import { createCaseStates, type CaseStates } from './case-states.js'
import { contextFor, type Projection } from './projection.js'
import { bulkLoad } from './sql-rows.js'
import { applyGroupBatch, type GroupMember } from './live-group.js'
import { getLag, waitForProjections, type ProjectionLag } from './status.js'

/** The checkpoint was not where this runner expected it (another runner advanced it, or the version was switched). */
export class CheckpointMoved extends Error {
  constructor(readonly projection: string, readonly version: number) {
    super(`checkpoint of ${projection} v${version} moved`)
    this.name = 'CheckpointMoved'
  }
}

/**
 * Applies one batch to (name, version) if its checkpoint is still `expected`; moves it to the batch's last
 * position. Read-model rows and checkpoint commit together or not at all. `bulk` (a version being rebuilt): the
 * projection's row writes go through COPY where the database can (sql-rows' bulkLoad).
 */
export async function applyBatch(
  db: Database,
  p: Projection,
  version: number,
  expected: LogPosition,
  events: readonly RecordedEvent[],
  caseStates: CaseStates,
  bulk = false,
): Promise<LogPosition> {
  const last = events[events.length - 1]?.position
  if (!last) return expected
  await db.transaction(async (tx) => {
    // lock the checkpoint first: concurrent runners serialise here instead of racing on read-model rows
    const cp = await readCheckpoint(tx, p.name, version, true)
    if (!cp || comparePositions(cp.position, expected) !== 0) throw new CheckpointMoved(p.name, version)
    await p.handle(events, contextFor(bulk ? bulkLoad(tx) : tx, version, caseStates))
    const r = await tx.query(
      `UPDATE projection_checkpoints SET position_commit = $3, position_prepare = $4, updated_at = now()
       WHERE name = $1 AND version = $2 AND position_commit = $5 AND position_prepare = $6`,
      [p.name, version, last.commit.toString(), last.prepare.toString(), expected.commit.toString(), expected.prepare.toString()],
    )
    if (r.rowCount !== 1) throw new CheckpointMoved(p.name, version)
  })
  return last
}

/**
 * A live projection's batches, coalesced under load: `add` (the subscription's handler) applies at once when the
 * projection has been idle for gatherMs or the gathered events fill a batch; otherwise it keeps the events and a
 * timer applies them (with whatever arrived meanwhile) gatherMs after the previous apply. Applies never overlap and
 * keep log order. A failed apply settles `failed` (the worker restarts from the checkpoint); `stop` drops what was
 * gathered and not applied (not checkpointed: read again next time).
 */
export function createGather(gatherMs: number, batchSize: number, apply: (events: RecordedEvent[]) => Promise<void>) {
  let pending: RecordedEvent[] = []
  let lastApply = 0
  let timer: NodeJS.Timeout | undefined
  let chain: Promise<void> = Promise.resolve()
  let stopped = false
  let fail!: (e: Error) => void
  const failed = new Promise<Error>((r) => (fail = r))
  const flush = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    const events = pending
    pending = []
    if (stopped || events.length === 0) return chain
    chain = chain.then(async () => {
      if (stopped) return
      try {
        await apply(events)
      } catch (e) {
        stopped = true
        fail(e instanceof Error ? e : new Error(String(e)))
      } finally {
        lastApply = Date.now()
      }
    })
    return chain
  }
  return {
    failed,
    async add(events: readonly RecordedEvent[]) {
      if (stopped) return
      for (const e of events) pending.push(e)
      const wait = lastApply + gatherMs - Date.now()
      if (gatherMs <= 0 || wait <= 0 || pending.length >= batchSize) {
        await flush()
        return
      }
      timer ??= setTimeout(() => void flush(), wait)
    },
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = undefined
      pending = []
    },
  }
}

export interface RunnerOptions {
  db: Database
  store: EventStore
  projections: readonly Projection[]
  logger?: Logger
  /** Events per live batch (default 500). */
  batchSize?: number
  /**
   * Under load, small live batches are gathered for up to this long (ms, default 5) before one transaction
   * applies them: a batch that arrives less than gatherMs after the previous apply waits for more events instead
   * of paying a transaction (and a checkpoint update) of its own. A quiet projection applies at once. 0: off.
   */
  gatherMs?: number
  /** Events per rebuild batch (default 4000: fewer, larger set-based statements; ~10-15% faster than 1000). */
  rebuildBatchSize?: number
  /** A rebuild whose checkpoint has not moved for this long is taken to have crashed and may be taken over (ms). */
  rebuildAbandonedAfterMs?: number
  /** First and largest backoff after a failed batch (ms). */
  backoffMs?: { initial: number; max: number }
  /**
   * The live projections in one group (default true): one subscription and ONE transaction per batch for all of
   * them (a failing one leaves the group for a worker of its own). false: one worker (subscription, transaction
   * per batch) per projection, as before the group.
   */
  liveGroup?: boolean
  /** Cases whose states stay in memory for the case projections (case-states.ts; default 5,000). */
  caseStatesCached?: number
}

export interface RebuildResult {
  name: string
  fromVersion: number
  toVersion: number
  events: number
  ms: number
}

export interface ProjectionRunner {
  start(): Promise<void>
  stop(): Promise<void>
  /** Builds version N+1 beside the live one from the start of the log, switches the live pointer, drops version N. */
  rebuild(name: string): Promise<RebuildResult>
  /** Like rebuild, for several projections with one read of the log (results share the elapsed time). */
  rebuildMany(names: readonly string[]): Promise<RebuildResult[]>
  /** True when the named projections (default: all) have processed `position`; false after timeoutMs. */
  waitFor(position: LogPosition, names?: readonly string[], timeoutMs?: number): Promise<boolean>
  getLag(): Promise<ProjectionLag[]>
  /** Failed batches so far per projection (for tests and the status page). */
  readonly failures: ReadonlyMap<string, number>
  /** Batches given up because another runner had moved the checkpoint, per projection. */
  readonly checkpointMisses: ReadonlyMap<string, number>
  /** Cases the case projections asked a state for, and of them folded again from the store (case-states.ts). */
  readonly caseStateStats: { readonly asked: number; readonly read: number }
  /**
   * The last position each projection's live batches committed in THIS runner (another runner's batches are not
   * seen here: waitFor reads the checkpoints). For a caller in the same process that must not poll the database.
   */
  readonly committed: ReadonlyMap<string, LogPosition>
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** The wait before attempt N again: doubling from `initial` up to `max`, jittered to 50–100 %. */
const backoffDelay = (backoff: { initial: number; max: number }, attempt: number) =>
  Math.min(backoff.max, backoff.initial * 2 ** Math.min(attempt - 1, 16)) * (0.5 + Math.random() / 2)

/**
 * A worker's wake-ups (restart or stop): never lost, remembered until the loop marks them `served` at the start of
 * a pass; `woke()` resolves at the next one (at once if one is pending).
 */
function createWaker() {
  let woken = false
  let waiter: (() => void) | undefined
  return {
    wake() {
      woken = true
      const w = waiter
      waiter = undefined
      w?.()
    },
    woke: () =>
      new Promise<'restart'>((r) => {
        if (woken) r('restart')
        else waiter = () => r('restart')
      }),
    served() {
      woken = false
    },
  }
}

/**
 * Follows the log after `from` into `gather` until the subscription or an apply fails (the error) or a wake-up
 * (undefined). Events gathered and not applied are dropped: they are read again from the checkpoint(s).
 */
async function followUntilWoken(
  store: EventStore,
  from: LogPosition,
  batchSize: number,
  gather: ReturnType<typeof createGather>,
  woke: () => Promise<'restart'>,
  onSubscription: (s: Subscription) => void,
): Promise<Error | undefined> {
  const s = store.subscribe({ ...(comparePositions(from, START) > 0 ? { after: from } : {}), batchSize, handler: gather.add })
  onSubscription(s)
  const outcome = await Promise.race([s.failed, gather.failed, woke()])
  gather.stop()
  await s.stop()
  return outcome === 'restart' ? undefined : outcome
}

export function createProjectionRunner(options: RunnerOptions): ProjectionRunner {
  const { store, projections, logger } = options
  // read models are written on a pool of their own, whose transactions the log's readers do not wait for
  // (platform/database.ts READ_MODEL_WRITERS_SUFFIX)
  const db = options.db.readModelWriters?.() ?? options.db
  const batchSize = options.batchSize ?? 500
  const gatherMs = options.gatherMs ?? 5
  const rebuildBatchSize = options.rebuildBatchSize ?? 4000
  const backoff = options.backoffMs ?? { initial: 50, max: 5000 }
  const abandonedAfterMs = options.rebuildAbandonedAfterMs ?? 60_000
  const byName = new Map(projections.map((p) => [p.name, p]))
  const caseStates = createCaseStates(store, { maxCases: options.caseStatesCached })
  // positions this runner's live batches have committed, per projection (in-process: no read of the checkpoints)
  const applied = new Map<string, LogPosition>()
  const failures = new Map<string, number>()
  const checkpointMisses = new Map<string, number>()
  const workers = new Map<string, Worker>()
  let started = false

  interface Worker {
    stop(): Promise<void>
    /** Ends the current subscription so the worker re-reads the live version and checkpoint at once. */
    restart(): void
  }

  /**
   * One projection's own worker (a subscription and a transaction per batch). `afterFailure`: it left the live
   * group because its batch failed there: it backs off first, and `onRecovered` is called after its first batch
   * that commits (the runner then gives it back to the group).
   */
  function startWorker(p: Projection, afterFailure?: { onRecovered: () => void }): Worker {
    let stopped = false
    let recovered = afterFailure?.onRecovered
    let sub: Subscription | undefined
    const { wake, woke, served } = createWaker()
    const loop = (async () => {
      let attempt = afterFailure ? 1 : 0
      if (afterFailure) await Promise.race([sleep(backoffDelay(backoff, 1)), woke()])
      while (!stopped) {
        served() // this pass re-reads the live version and checkpoint: earlier wake-ups are served
        let error: Error | undefined
        try {
          const version = await liveVersion(db, p.name)
          const cp = await readCheckpoint(db, p.name, version)
          if (!cp) throw new CheckpointMoved(p.name, version)
          let expected = cp.position
          const gather = createGather(gatherMs, batchSize, (events) =>
            withCorrelation(`projection:${p.name}:${positionToString(events[0]!.position)}`, async () => {
              expected = await applyBatch(db, p, version, expected, events, caseStates)
              applied.set(p.name, expected)
              attempt = 0
              const r = recovered
              recovered = undefined
              r?.()
            }),
          )
          error = await followUntilWoken(store, expected, batchSize, gather, woke, (s) => (sub = s))
        } catch (e) {
          error = e as Error
        }
        sub = undefined
        if (stopped || !error) continue
        attempt++
        const counter = error instanceof CheckpointMoved ? checkpointMisses : failures
        counter.set(p.name, (counter.get(p.name) ?? 0) + 1)
        const level = error instanceof CheckpointMoved ? 'debug' : 'error'
        logger?.[level]({ projection: p.name, err: error, attempt }, 'projection batch not applied; retrying from the checkpoint')
        await Promise.race([sleep(backoffDelay(backoff, attempt)), woke()])
      }
    })()
    return {
      async stop() {
        stopped = true
        wake()
        await sub?.stop()
        await loop
      },
      restart() {
        wake()
      },
    }
  }

  interface Group extends Worker {
    has(name: string): boolean
    /** Takes a projection (back) into the group; the group restarts from the checkpoints. */
    add(p: Projection): void
  }

  /** A failure counted already (per member) by the group's batch: the loop only backs off and restarts. */
  class Counted extends Error {}

  /**
   * The live projections in one group (live-group.ts): one subscription from the smallest checkpoint, one
   * transaction per batch for every member. A member whose handle throws leaves the group for a worker of its own
   * (startWorker, backing off) and comes back after that worker's first committed batch; a member whose checkpoint
   * moved makes the group restart from the checkpoints (after a backoff, as a worker does after a miss).
   */
  function startGroup(initial: readonly Projection[]): Group {
    const members = new Map(initial.map((p) => [p.name, p]))
    let stopped = false
    let sub: Subscription | undefined
    const { wake, woke, served } = createWaker()
    const count = (counter: Map<string, number>, name: string) => counter.set(name, (counter.get(name) ?? 0) + 1)
    const eject = (p: Projection) => {
      members.delete(p.name)
      if (stopped || !started) return
      let solo: Worker | undefined
      // called inside the worker's batch: it is stopped (which waits for that batch) on the next turn
      const rejoin = () =>
        setImmediate(() => {
          if (stopped || !started || !solo || workers.get(p.name) !== solo) return
          workers.delete(p.name)
          const back = solo
            .stop()
            .then(() => {
              if (!stopped && started) self.add(p)
            })
            .catch((err: unknown) => logger?.error({ projection: p.name, err }, 'projection could not go back to the live group'))
          rejoining.add(back)
          void back.finally(() => rejoining.delete(back))
        })
      solo = startWorker(p, { onRecovered: rejoin })
      workers.set(p.name, solo)
    }
    const loop = (async () => {
      let attempt = 0
      while (!stopped) {
        served() // this pass re-reads the live versions and checkpoints: earlier wake-ups are served
        let error: Error | undefined
        let current: GroupMember[] = []
        try {
          if (!members.size) {
            await woke()
            continue
          }
          const cps = await readCheckpoints(db)
          for (const p of members.values()) {
            const cp = cps.find((c) => c.name === p.name)
            if (!cp) {
              count(checkpointMisses, p.name)
              throw new Counted(`projection ${p.name}: no live checkpoint`)
            }
            current.push({ p, version: cp.version, expected: cp.position })
          }
          const from = current.reduce((m, c) => (comparePositions(c.expected, m) < 0 ? c.expected : m), current[0]!.expected)
          const gather = createGather(gatherMs, batchSize, (events) =>
            withCorrelation(`projection:live-group:${positionToString(events[0]!.position)}`, async () => {
              current = current.filter((m) => members.has(m.p.name)) // members that left for a worker of their own
              const out = await applyGroupBatch(db, current, events, caseStates)
              const last = events[events.length - 1]!.position
              for (const m of out.applied) applied.set(m.p.name, (m.expected = last))
              if (out.applied.length) attempt = 0
              for (const { member, error: err } of out.failed) {
                count(failures, member.p.name)
                logger?.error({ projection: member.p.name, err }, 'projection batch not applied; it leaves the live group and retries from its checkpoint')
                eject(member.p)
              }
              if (out.moved.length) {
                for (const m of out.moved) count(checkpointMisses, m.p.name)
                throw new Counted(`checkpoint of ${out.moved.map((m) => m.p.name).join(', ')} moved`)
              }
            }),
          )
          error = await followUntilWoken(store, from, batchSize, gather, woke, (s) => (sub = s))
        } catch (e) {
          error = e as Error
        }
        sub = undefined
        if (stopped || !error) continue
        attempt++
        // a failure of the whole batch (transaction, subscription): every member's batch was not applied
        if (!(error instanceof Counted)) for (const name of members.keys()) count(failures, name)
        const level = error instanceof Counted ? 'debug' : 'error'
        logger?.[level]({ projections: [...members.keys()], err: error, attempt }, 'live group batch not applied; retrying from the checkpoints')
        await Promise.race([sleep(backoffDelay(backoff, attempt)), woke()])
      }
    })()
    const self: Group = {
      has: (name) => members.has(name),
      add(p) {
        members.set(p.name, p)
        wake()
      },
      async stop() {
        stopped = true
        wake()
        await sub?.stop()
        await loop
      },
      restart() {
        wake()
      },
    }
    return self
  }

  /** The worker (the group or a projection's own) projecting `name` live. */
  const holder = (name: string): Worker | undefined => workers.get(name) ?? (group?.has(name) ? group : undefined)
  let group: Group | undefined
  /** Workers of projections going back to the group, being stopped (stop() waits for them). */
  const rejoining = new Set<Promise<void>>()

  /** Sets up version N+1 of one projection for a rebuild: its tables (without secondary indexes) and checkpoint. */
  async function prepareRebuild(p: Projection): Promise<{ p: Projection; from: number; to: number; build: BuildDdl }> {
    const name = p.name
    await ensureProjection(db, p)
    return db.transaction(async (tx) => {
      await lockProjection(tx, name)
      const live = await liveVersion(tx, name)
      const max = await tx.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM projection_checkpoints WHERE name = $1`, [name])
      const next = Math.max(live, Number(max.rows[0]?.v ?? 0)) + 1
      // another rebuild still making progress: refuse; one silent for a while was abandoned (crashed): take over
      const busy = await tx.query<{ version: number }>(
        `SELECT version FROM projection_checkpoints WHERE name = $1 AND status = 'building' AND updated_at > now() - ($2::int * interval '1 millisecond')`,
        [name, abandonedAfterMs],
      )
      if (busy.rows.length) throw new DomainError('REBUILD_IN_PROGRESS', { name, version: Number(busy.rows[0]!.version) })
      const stale = await tx.query<{ version: number }>(`DELETE FROM projection_checkpoints WHERE name = $1 AND status = 'building' RETURNING version`, [name])
      for (const s of stale.rows) await tx.exec(dropTablesSql(p, Number(s.version)))
      await tx.exec(dropTablesSql(p, next))
      const build = buildDdl(p.ddl(next))
      await tx.exec(build.tables)
      await tx.query(
        `INSERT INTO projection_checkpoints (name, version, position_commit, position_prepare, status, ddl_hash) VALUES ($1, $2, $3, $4, 'building', $5)`,
        [name, next, START.commit.toString(), START.prepare.toString(), ddlHash(p)],
      )
      return { p, from: live, to: next, build }
    })
  }

  /**
   * Rebuilds several projections with ONE read of the log: each page is applied to every projection being built
   * (each in its own transaction with its own checkpoint, concurrently), while the next page is read. The new
   * versions' tables are built without their secondary indexes; once the log is read they are indexed, then each
   * is switched live as `rebuild` does (build-ddl.ts: why the tables are logged from the start).
   */
  async function rebuildMany(names: readonly string[]): Promise<RebuildResult[]> {
    const ps = names.map((name) => {
      const p = byName.get(name)
      if (!p) throw new DomainError('UNKNOWN_PROJECTION', { name, known: [...byName.keys()] }, [name, [...byName.keys()].join(', ')])
      return p
    })
    const t0 = Date.now()
    await migrateProjections(db)
    const builds: { p: Projection; from: number; to: number; build: BuildDdl; pos: LogPosition }[] = []
    for (const p of ps) builds.push({ ...(await prepareRebuild(p)), pos: START })
    // read the next page while the current one is applied (reading and writing overlap)
    let count = 0
    const page = (after: LogPosition) => {
      const pr = store.readAll({ ...(after.commit >= 0n ? { after } : {}), limit: rebuildBatchSize })
      pr.catch(() => {})
      return pr
    }
    let next = page(START)
    for (;;) {
      const events = await next
      const last = events[events.length - 1]
      if (!last) break
      next = page(last.position)
      await Promise.all(builds.map(async (b) => (b.pos = await applyBatch(db, b.p, b.to, b.pos, events, caseStates, true))))
      count += events.length
    }
    // every new version indexed at once (sessions of their own: the server builds them side by side)
    await Promise.all(builds.map((b) => db.exec(b.build.finish())))
    const results: RebuildResult[] = []
    for (const b of builds) {
      const { p, from, to } = b
      const name = p.name
      await db.transaction(async (tx) => {
        await lockProjection(tx, name)
        const live = await liveVersion(tx, name)
        if (live !== from) throw new Error(`projection ${name}: live version moved from ${from} to ${live} during the rebuild`)
        await readCheckpoint(tx, name, from, true) // waits for an in-flight batch of the old version
        await tx.query(`UPDATE projection_versions SET live_version = $2, switched_at = now() WHERE name = $1`, [name, to])
        await tx.query(`UPDATE projection_checkpoints SET status = 'live', updated_at = now() WHERE name = $1 AND version = $2`, [name, to])
        await tx.query(`DELETE FROM projection_checkpoints WHERE name = $1 AND version = $2`, [name, from])
        await tx.query(`SELECT pg_notify($1, $2)`, [VERSIONS_CHANNEL, name])
      })
      holder(name)?.restart()
      await db.exec(dropTablesSql(p, from))
      const result = { name, fromVersion: from, toVersion: to, events: count, ms: Date.now() - t0 }
      logger?.info(result, 'projection rebuilt and switched')
      results.push(result)
    }
    return results
  }

  async function rebuild(name: string): Promise<RebuildResult> {
    return (await rebuildMany([name]))[0]!
  }

  let unlisten: (() => Promise<void>) | undefined
  const rebuilds: Promise<unknown>[] = []

  return {
    failures,
    checkpointMisses,
    async start() {
      if (started) return
      started = true
      await migrateProjections(db)
      const stale: string[] = []
      for (const p of projections) if ((await ensureProjection(db, p)).stale) stale.push(p.name)
      if (options.liveGroup ?? true) group = startGroup(projections)
      else for (const p of projections) workers.set(p.name, startWorker(p))
      // tables of an older shape: build the new shape beside them (the old version serves until the switch)
      if (stale.length) {
        logger?.warn({ projections: stale }, 'projection definition changed: rebuilding beside the live version')
        rebuilds.push(
          rebuildMany(stale).catch(async (e: unknown) => {
            // one of them could not be built (another rebuild in progress...): the others one by one
            logger?.warn({ projections: stale, err: e }, 'automatic rebuild of all stale projections failed; one by one')
            for (const name of stale) {
              await rebuild(name).catch((err: unknown) => logger?.error({ projection: name, err }, 'automatic rebuild failed'))
            }
          }),
        )
      }
      // another process switched a version: restart that worker on the new live version without waiting for a CAS miss
      unlisten = await db.listen(VERSIONS_CHANNEL, (name) => holder(name)?.restart()).catch(() => undefined)
    },
    async stop() {
      started = false
      await Promise.allSettled(rebuilds)
      await unlisten?.()
      const g = group
      group = undefined
      await g?.stop() // first: it starts no worker once stopped
      await Promise.all([...workers.values()].map((w) => w.stop()))
      await Promise.allSettled([...rejoining])
      workers.clear()
    },
    rebuild,
    rebuildMany,
    caseStateStats: caseStates.stats,
    committed: applied,
    waitFor: (position, names = [...byName.keys()], timeoutMs = 5000) => waitForProjections(db, position, names, timeoutMs),
    getLag: () => getLag(db, store, [...byName.keys()]),
  }
}
