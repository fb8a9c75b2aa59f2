// 1. Append: commands/s through the command handler (load, fold, decide, append with expected version) to the
// PostgreSQL event store with 1, 8 and 32 concurrent writers, beside raw single-row INSERT transactions/s on a table
// of the same shape (the durable-commit limit) with the same concurrency, and beside Emmett's PostgreSQL event
// store appending the same events when it is installed.
import pg from 'pg'
import { createCommandHandler, type CommandHandler } from '../commands/command-handler.js'
import type { Sql } from '../commands/platform/database.js'
import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { decide } from '../domain/report/decide.js'
import { evolve, initialState, type ReportState } from '../domain/report/state.js'
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

/** A queue of prepared cases consumed across several timed slices. */
export interface Queue {
  items: GeneratedCase[]
  next: number
}
export const queue = (items: GeneratedCase[]): Queue => ({ items, next: 0 })

/** Runs `work` on `writers` workers pulling cases from the queue for `seconds`; returns units done. */
export async function timed(q: Queue, writers: number, seconds: number, work: (c: GeneratedCase) => Promise<number>) {
  let done = 0
  const deadline = Date.now() + seconds * 1000
  const t0 = Date.now()
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (Date.now() < deadline && q.next < q.items.length) {
        const k = await work(q.items[q.next++]!) // (not `done += await …`: that reads `done` before the await)
        done += k
      }
    }),
  )
  const ms = Date.now() - t0
  return { done, ms, rate: (done * 1000) / ms, exhausted: q.next >= q.items.length }
}

type ReportHandler = CommandHandler<ReportState, ReportCommand, ReportEvent, DecideContext>

/** A draft opens its case: like the case service's 登錄, the handler is told so and does not read the stream first. */
export const opensItsCase = (cmd: { command: unknown }) => (cmd.command as ReportCommand).type === 'DraftReport'

/** The contender: every command of a case through the command handler (fold, decide, append). */
export async function handleCase(handler: ReportHandler, c: GeneratedCase): Promise<number> {
  for (const cmd of c.commands) {
    await handler.handle({ stream: c.stream, command: cmd.command as ReportCommand, ctx: cmd.ctx as DecideContext, meta: cmd.meta, probablyNew: opensItsCase(cmd) })
  }
  return c.commands.length
}

/** The baseline: one autocommit single-row INSERT per command into `raw_events` (same row shape and payloads). */
export async function rawInsertCase(pool: Sql, c: GeneratedCase, sample: () => { type: string; data: unknown }): Promise<number> {
  let n = 0
  for (const cmd of c.commands) {
    const e = sample()
    await pool.query(
      `INSERT INTO raw_events (event_id, stream_id, stream_version, type, data, meta) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`,
      [c.stream, ++n, e.type, JSON.stringify(e.data), JSON.stringify(cmd.meta)],
    )
  }
  return n
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
    const perLevel = Math.max(400, Math.round(o.seconds * 800))
    const gen = generateCases({ seed: o.seed, cases: perLevel * o.writers.length * 3 + 400 })
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
    // Emmett on a pg pool of ours (same size as ours; with an error listener, so dropping the database at the end
    // cannot crash the process through an idle connection)
    const emmettPool = emmett ? new pg.Pool({ connectionString: env.url, max: maxW + 4 }) : undefined
    emmettPool?.on('error', () => {})
    const es = emmett
      ? (emmett as EmmettModule).getPostgreSQLEventStore(env.url, { connectionOptions: { pooled: true, pool: emmettPool } })
      : undefined
    // The contenders run in alternating slices (handler, raw, Emmett, handler, raw, ...) so that load from other
    // work on a shared machine falls on all of them alike; each total is the sum over its slices.
    const rounds = 4
    for (const w of o.writers) {
      const handlerCases = queue(take(perLevel))
      const rawCases = queue(take(perLevel))
      const emmettCases = queue(es ? take(perLevel) : [])
      const sum = { handler: { done: 0, ms: 0 }, raw: { done: 0, ms: 0 }, emmett: { done: 0, ms: 0 } }
      let exhausted = false
      let i = 0
      const slice = o.seconds / rounds
      for (let round = 0; round < rounds; round++) {
        const r = await timed(handlerCases, w, slice, (c) => handleCase(handler, c))
        sum.handler.done += r.done
        sum.handler.ms += r.ms
        exhausted ||= r.exhausted
        // raw: one autocommit single-row INSERT per transaction, same row shape and payloads
        const raw = await timed(rawCases, w, slice, (c) => rawInsertCase(pool, c, () => sampleEvents[i++ % sampleEvents.length]!))
        sum.raw.done += raw.done
        sum.raw.ms += raw.ms
        if (es) {
          const er = await emmettAppend(es, emmettCases, w, slice).catch((e: Error) => ({ error: e.message }))
          if ('error' in er) emmettNote = `Emmett: failed to run (${er.error})`
          else {
            sum.emmett.done += er.done
            sum.emmett.ms += er.ms
          }
        }
      }
      const rate = (x: { done: number; ms: number }) => (x.done * 1000) / Math.max(1, x.ms)
      const hr = rate(sum.handler)
      const rr = rate(sum.raw)
      res.figures.push(
        figure({
          label: `command handler, ${w} writer${w > 1 ? 's' : ''}`,
          value: hr,
          unit: 'commands/s',
          baseline: { label: `raw single-row INSERT tx, ${w} writer${w > 1 ? 's' : ''}`, value: rr, unit: 'tx/s' },
          // group commit (issue #17): one flush for the commands that arrive together, where raw pays one per row
          target: w === 1 ? { text: '>= 60% of raw inserts', met: hr >= 0.6 * rr } : { text: '>= 100% of raw inserts', met: hr >= rr },
        }),
      )
      if (exhausted) res.notes.push(`${w} writers: ran out of prepared cases before ${o.seconds}s (figure still valid)`)
      if (es && sum.emmett.ms > 0) {
        emmettNote = ''
        const er = rate(sum.emmett)
        res.figures.push(
          figure({
            label: `command handler vs Emmett, ${w} writer${w > 1 ? 's' : ''}`,
            value: hr,
            unit: 'commands/s',
            baseline: { label: 'Emmett appendToStream (same events, one append per command, no read/decide)', value: er, unit: 'appends/s' },
            target: { text: '>= 150% of Emmett', met: hr >= 1.5 * er },
          }),
        )
      }
    }
    await es?.close?.()
    await emmettPool?.end().catch(() => {})
    if (emmettNote) res.notMeasured.push(emmettNote)
    const counts = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM events`)
    res.notes.push(`${counts.rows[0]!.n} events appended through the handler; each command = fold (cached, or read the stream) + decide + append; appends that arrive together share one call, one transaction and one WAL flush (group commit), each checked on its own`)
  } finally {
    await env.drop()
  }
  res.ms = Date.now() - t0
  return res
}

interface EmmettStore {
  appendToStream: (s: string, e: unknown[], o?: unknown) => Promise<unknown>
  close?: () => Promise<void>
}
interface EmmettModule {
  getPostgreSQLEventStore: (url: string, options?: unknown) => EmmettStore
}

/** Emmett's PostgreSQL event store (only when installed): the same events, one appendToStream per command. */
async function emmettAppend(es: EmmettStore, cases: Queue, writers: number, seconds: number) {
  return timed(cases, writers, seconds, async (c) => {
    let v = 0n
    for (const cmd of c.commands) {
      const events = cmd.events.map((e: ReportEvent & { meta: unknown }) => ({ type: e.type, data: e.data, metadata: e.meta }))
      await es.appendToStream(`emmett-${c.stream}`, events, v === 0n ? undefined : { expectedStreamVersion: v })
      v += BigInt(events.length)
    }
    return c.commands.length
  })
}
