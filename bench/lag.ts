// 3. Lag: milliseconds from append (commit of a command through the command handler) to every read model having
// it (the slowest projection's checkpoint passing its position), with the projection runner running in-process,
// under a sustained rate of filings. Baseline: the same loop with a no-op "projection" (a bare subscription that
// only records positions, the runner working beside it): what the store's notification + gap-safe read cost. Then the same load again on a
// worker per projection (RunnerOptions.liveGroup false), the design before the live group.
import { createCommandHandler } from '../commands/command-handler.js'
import { comparePositions, type LogPosition } from '../commands/event-store/port.js'
import { decide } from '../domain/report/decide.js'
import { evolve, initialState } from '../domain/report/state.js'
import { PROJECTIONS } from '../projections/read-models/all.js'
import { createProjectionRunner, type ProjectionRunner } from '../projections/runner.js'
import { generateCases, type GeneratedCase } from '../test/support/data-generator.js'
import { opensItsCase } from './append.js'
import { benchDatabase, type BenchDb } from './lib/env.js'
import { bulkLoad } from './lib/load.js'
import { figure, newResult, percentile, sleep, type BenchResult } from './lib/result.js'

/**
 * How far every read model has committed, as the runner knows it in-process (reading the checkpoints instead, every
 * 2 ms, was ~250 statements a second of the bench's own on the machine it measures).
 */
export const minCommitted = (r: ProjectionRunner, count: number) => async () => {
  if (r.committed.size < count) return undefined
  return [...r.committed.values()].reduce<LogPosition | undefined>((m, c) => (!m || comparePositions(c, m) < 0 ? c : m), undefined)
}

interface Pending {
  pos: LogPosition
  at: number
}

/** Appends commands at `rate`/s for `seconds`; `caughtUp()` gives the position every reader has reached. */
export async function drive(env: BenchDb, cases: Iterator<GeneratedCase>, rate: number, seconds: number, caughtUp: () => Promise<LogPosition | undefined>) {
  const handler = createCommandHandler(env.store, { initialState, evolve, decide })
  const pending = new Set<Pending>()
  const lags: number[] = []
  let stop = false
  let stoppedAt = Infinity
  let appended = 0
  const poller = (async () => {
    // after the load stops, wait for the stragglers at most 30 s
    while ((!stop || pending.size) && performance.now() - stoppedAt < 30_000) {
      const pos = await caughtUp()
      const now = performance.now()
      if (pos) for (const p of pending) if (comparePositions(p.pos, pos) <= 0) (lags.push(now - p.at), pending.delete(p))
      await sleep(2)
    }
  })()
  // a queue of commands (each case's commands in order, cases interleaved over 16 lanes)
  const lanes: Array<{ c: GeneratedCase; i: number } | undefined> = Array.from({ length: 16 }, () => undefined)
  const nextCommand = (lane: number) => {
    let cur = lanes[lane]
    if (!cur || cur.i >= cur.c.commands.length) cur = lanes[lane] = { c: cases.next().value as GeneratedCase, i: 0 }
    return { c: cur.c, cmd: cur.c.commands[cur.i++]! }
  }
  const busy = new Set<number>()
  const t0 = performance.now()
  const inflight = new Set<Promise<void>>()
  for (let k = 0; performance.now() - t0 < seconds * 1000; k++) {
    const due = t0 + (k * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    let lane = k % lanes.length
    for (let j = 0; j < lanes.length && busy.has(lane); j++) lane = (lane + 1) % lanes.length
    if (busy.has(lane)) {
      await Promise.race(inflight)
      continue
    }
    busy.add(lane)
    const { c, cmd } = nextCommand(lane)
    const p = handler
      .handle({ stream: c.stream, command: cmd.command, ctx: cmd.ctx, meta: cmd.meta, probablyNew: opensItsCase(cmd) })
      .then((r) => {
        appended++
        pending.add({ pos: r.position, at: performance.now() })
      })
      .finally(() => {
        busy.delete(lane)
        inflight.delete(p)
      })
    inflight.add(p)
  }
  await Promise.all(inflight)
  const achieved = (appended * 1000) / (performance.now() - t0)
  stop = true
  stoppedAt = performance.now()
  await poller
  return { lags, achieved, appended }
}

export async function lagBench(o: { seconds: number; rate: number; seed: number; preload: number }): Promise<BenchResult> {
  const res = newResult('lag', `append-to-read-model lag at ${o.rate} filings/s for ${o.seconds} s`)
  const t0 = Date.now()
  const env = await benchDatabase('lag')
  try {
    await bulkLoad(env.db, generateCases({ seed: o.seed + 1, events: o.preload }))
    const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
    await runner.start()
    const head = await env.store.headPosition()
    await runner.waitFor(head, undefined, 600_000)
    const cases = generateCases({ seed: o.seed + 2, cases: Math.ceil(o.rate * o.seconds) + 1000 })
    // baseline first: a bare subscription that only records how far it has read
    let seen: LogPosition | undefined
    const sub = env.store.subscribe({ after: await env.store.headPosition(), handler: async (evs) => void (seen = evs[evs.length - 1]!.position) })
    const base = await drive(env, cases, o.rate, Math.min(10, o.seconds), async () => seen)
    await sub.stop()
    const run = await drive(env, cases, o.rate, o.seconds, minCommitted(runner, PROJECTIONS.length))
    await runner.stop()
    // the same load on a worker per projection (each its own subscription and transactions: before the live group)
    const solo = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS, liveGroup: false })
    await solo.start()
    await solo.waitFor(await env.store.headPosition(), undefined, 600_000)
    const apart = await drive(env, cases, o.rate, o.seconds, minCommitted(solo, PROJECTIONS.length))
    await solo.stop()
    res.figures.push(
      figure({
        label: `lag p50 (all ${PROJECTIONS.length} read models)`,
        value: percentile(run.lags, 50),
        unit: 'ms',
        lowerIsBetter: true,
        baseline: { label: 'bare subscription p50 (notify + gap-safe read, no projection)', value: percentile(base.lags, 50), unit: 'ms' },
      }),
      figure({
        label: `lag p99 (all ${PROJECTIONS.length} read models)`,
        value: percentile(run.lags, 99),
        unit: 'ms',
        lowerIsBetter: true,
        baseline: { label: 'bare subscription p99', value: percentile(base.lags, 99), unit: 'ms' },
        target: { text: 'p99 < 100 ms', met: percentile(run.lags, 99) < 100 },
      }),
      figure({
        label: `lag p99, the live group (one subscription, one transaction per batch for all)`,
        value: percentile(run.lags, 99),
        unit: 'ms',
        lowerIsBetter: true,
        baseline: { label: `a worker per projection, same load after it (p50 ${percentile(apart.lags, 50).toFixed(0)} ms)`, value: percentile(apart.lags, 99), unit: 'ms' },
      }),
      figure({ label: 'filings sustained (commands through the command handler)', value: run.achieved, unit: 'commands/s', baseline: { label: 'requested rate', value: o.rate, unit: 'commands/s' } }),
    )
    res.notes.push(`${run.lags.length} commands measured (max lag ${percentile(run.lags, 100).toFixed(0)} ms) after preloading ${o.preload.toLocaleString('en-US')} events; runner in the same process`)
  } finally {
    await env.drop()
  }
  res.ms = Date.now() - t0
  return res
}
