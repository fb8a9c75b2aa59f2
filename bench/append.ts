// 1. Append: commands/s through the command handler (load, fold, decide, append with expected version) to the
// PostgreSQL event store with 1, 8 and 32 concurrent writers, beside raw single-row INSERT transactions/s on a table
// of the same shape (the durable-commit limit) with the same concurrency, and beside Emmett's PostgreSQL event
// store appending the same events when it is installed.
import { createCommandHandler } from '../commands/command-handler.js'
import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { decide } from '../domain/report/decide.js'
import { evolve, initialState } from '../domain/report/state.js'
import type { ReportCommand, DecideContext } from '../domain/report/commands.js'
import type { ReportEvent } from '../domain/events.js'
import { generateCases, type GeneratedCase } from '../test/support/data-generator.js'
import { benchDatabase } from './lib/env.js'
import { figure, newResult, type BenchResult } from './lib/result.js'

export interface AppendOptions {
  seconds: number
  writers: readonly number[]
  seed: number
}

/** Runs `work` on `writers` workers pulling cases from a queue for `seconds`; returns units done. */
async function timed(cases: GeneratedCase[], writers: number, seconds: number, work: (c: GeneratedCase) => Promise<number>) {
  let next = 0
  let done = 0
  const deadline = Date.now() + seconds * 1000
  const t0 = Date.now()
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (Date.now() < deadline && next < cases.length) {
        const k = await work(cases[next++]!) // (not `done += await …`: that reads `done` before the await)
        done += k
      }
    }),
  )
  const ms = Date.now() - t0
  return { done, ms, rate: (done * 1000) / ms, exhausted: next >= cases.length }
}

export async function appendBench(o: AppendOptions): Promise<BenchResult> {
  const res = newResult('append', 'commands/s through the command handler vs raw single-row INSERT transactions/s')
  const t0 = Date.now()
  const env = await benchDatabase('append')
  try {
    const maxW = Math.max(...o.writers)
    const pool = env.pool(maxW + 4, 'bench-append')
    const store = createPostgresEventStore(pool)
    const handler = createCommandHandler(store, { initialState, evolve, decide })
    await pool.exec(`CREATE TABLE raw_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
    // a pool of cases per writer level, generated up front (never timed); ~6 commands/s per ms budget is plenty
    const perLevel = Math.max(400, Math.round(o.seconds * 700))
    const gen = generateCases({ seed: o.seed, cases: perLevel * o.writers.length * 2 + 2000 })
    const take = (n: number) => Array.from({ length: n }, () => gen.next().value as GeneratedCase)
    let emmett: unknown
    let emmettNote = 'Emmett: not installed (npm i -D @event-driven-io/emmett-postgresql to compare)'
    try {
      const spec = '@event-driven-io/emmett-postgresql'
      emmett = await import(spec)
    } catch {
      emmett = undefined
    }
    const sampleEvents = take(200).flatMap((c) => c.commands.flatMap((x) => x.events))
    for (const w of o.writers) {
      const cmdCases = take(perLevel)
      const r = await timed(cmdCases, w, o.seconds, async (c) => {
        for (const cmd of c.commands) {
          await handler.handle({ stream: c.stream, command: cmd.command as ReportCommand, ctx: cmd.ctx as DecideContext, meta: cmd.meta })
        }
        return c.commands.length
      })
      // raw: one autocommit single-row INSERT per transaction, same row shape and payloads
      let i = 0
      const rawCases = take(perLevel)
      const raw = await timed(rawCases, w, o.seconds, async (c) => {
        let n = 0
        for (const cmd of c.commands) {
          const e = sampleEvents[i++ % sampleEvents.length]!
          await pool.query(
            `INSERT INTO raw_events (event_id, stream_id, stream_version, type, data, meta) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`,
            [c.stream, ++n, e.type, JSON.stringify(e.data), JSON.stringify(cmd.meta)],
          )
        }
        return n
      })
      res.figures.push(
        figure({
          label: `command handler, ${w} writer${w > 1 ? 's' : ''}`,
          value: r.rate,
          unit: 'commands/s',
          baseline: { label: `raw single-row INSERT tx, ${w} writer${w > 1 ? 's' : ''}`, value: raw.rate, unit: 'tx/s' },
          target: { text: '>= 50% of raw inserts', met: r.rate >= 0.5 * raw.rate },
        }),
      )
      if (r.exhausted) res.notes.push(`${w} writers: ran out of prepared cases before ${o.seconds}s (figure still valid)`)
      if (emmett) {
        const er = await emmettAppend(emmett, env.url, take(perLevel), w, o.seconds).catch((e: Error) => ({ error: e.message }))
        if ('error' in er) emmettNote = `Emmett: failed to run (${er.error})`
        else {
          emmettNote = ''
          res.figures.push(
            figure({
              label: `command handler vs Emmett, ${w} writer${w > 1 ? 's' : ''}`,
              value: r.rate,
              unit: 'commands/s',
              baseline: { label: 'Emmett appendToStream (same events, one append per command)', value: er.rate, unit: 'appends/s' },
              target: { text: 'ahead of Emmett', met: r.rate > er.rate },
            }),
          )
        }
      }
    }
    if (emmettNote) res.notMeasured.push(emmettNote)
    const counts = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM events`)
    res.notes.push(`${counts.rows[0]!.n} events appended through the handler; each command = read stream + fold + decide + append (with idempotency row)`)
  } finally {
    await env.drop()
  }
  res.ms = Date.now() - t0
  return res
}

/** Emmett's PostgreSQL event store (only when installed): the same events, one appendToStream per command. */
async function emmettAppend(mod: unknown, url: string, cases: GeneratedCase[], writers: number, seconds: number) {
  const m = mod as { getPostgreSQLEventStore: (url: string) => { appendToStream: (s: string, e: unknown[], o?: unknown) => Promise<unknown>; close?: () => Promise<void> } }
  const es = m.getPostgreSQLEventStore(url)
  try {
    return await timed(cases, writers, seconds, async (c) => {
      let v = 0n
      for (const cmd of c.commands) {
        const events = cmd.events.map((e: ReportEvent & { meta: unknown }) => ({ type: e.type, data: e.data, metadata: e.meta }))
        await es.appendToStream(`emmett-${c.stream}`, events, v === 0n ? undefined : { expectedStreamVersion: v })
        v += BigInt(events.length)
      }
      return c.commands.length
    })
  } finally {
    await es.close?.()
  }
}
