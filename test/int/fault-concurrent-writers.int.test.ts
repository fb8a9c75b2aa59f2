// Load/fault: 8 concurrent writers on overlapping streams through the real command handler and report decider.
// Each filed case gets racing review decisions (approve / reject / return from reviewers, withdraw from the filer)
// and repeated command ids, while the projection runner runs. Afterwards: every accepted command's events are in
// the log exactly once, a refused command wrote nothing, each application was decided exactly once, and every read
// model equals a clean rebuild.
import t from 'tap'
import { createCommandHandler } from '../../commands/command-handler.js'
import { isDomainError } from '../../domain/errors.js'
import { decide } from '../../domain/report/decide.js'
import { evolve, initialState } from '../../domain/report/state.js'
import type { ReportCommand, DecideContext } from '../../domain/report/commands.js'
import type { EventMeta, ReportEvent } from '../../domain/events.js'
import type { Actor } from '../../domain/types.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { generateCases, prng, uuidFrom } from '../support/data-generator.js'
import { lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { dumpProjection, liveVersionOf } from '../support/projection-compare.js'

const WRITERS = 8
const CASES = Number(process.env.BAOBEI_LONG ? 2000 : 300)

interface Job {
  stream: string
  command: ReportCommand
  ctx: DecideContext
  meta: EventMeta
}

t.test(`${WRITERS} concurrent writers on overlapping streams: accepted once, refused nothing, read models = rebuild`, async (t) => {
  const env = await projectionEnv('bbfaultw')
  t.teardown(() => env.drop())
  const handler = createCommandHandler(env.store, { initialState, evolve, decide })
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS, batchSize: 100 })
  await runner.start()
  t.teardown(() => runner.stop())

  // filings: the generator's draft + submit of each case (cases that reach review)
  const cases = [...generateCases({ seed: 99, cases: CASES })].filter((c) => c.commands[1]?.command.type === 'SubmitReport')
  const r = prng(5)
  const setup: Job[][] = cases.map((c) => c.commands.slice(0, 2).map((x) => ({ stream: c.stream, command: x.command, ctx: x.ctx, meta: x.meta })))
  // racing decisions on every filed case, plus repeats of some command ids
  const racing: Job[] = []
  cases.forEach((c, i) => {
    const drafted = c.commands[0]!.events[0] as ReportEvent & { type: 'ReportDrafted' }
    const county = drafted.data.routing.reviewCounty
    const filer = c.commands[0]!.meta.actor
    const at = new Date(Date.parse(c.commands[1]!.meta.occurredAt) + 86_400_000).toISOString()
    const reviewer = (n: number): Actor => ({ role: 'reviewer', id: `R${county}00${n}`, via: 'staff-card', county })
    const job = (command: ReportCommand, actor: Actor): Job => {
      const commandId = uuidFrom(r)
      return { stream: c.stream, command, ctx: { actor, now: at }, meta: { commandId, actor, correlationId: commandId, causationId: commandId, occurredAt: at } }
    }
    const jobs = [
      job({ type: 'ApproveReport', data: { approvalNumber: `${county}1140101${String(i).padStart(5, '0')}` } }, reviewer(1)),
      job({ type: 'RejectReport', data: { reason: '資料不符' } }, reviewer(2)),
      job({ type: 'ReturnReport', data: { reason: '請補件', fieldsToFix: ['schedule'] } }, reviewer(3)),
      job({ type: 'WithdrawReport', data: { reason: '不需支援' } }, filer),
    ]
    racing.push(...jobs, ...jobs.filter(() => r() < 0.3)) // the same command ids again
  })
  for (let i = racing.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[racing[i], racing[j]] = [racing[j]!, racing[i]!]
  }

  const accepted = new Map<string, number>() // commandId -> events it reported
  const refused = new Map<string, string>() // commandId -> error code
  const unexpected: unknown[] = []
  const run = async (j: Job) => {
    try {
      const res = await handler.handle(j)
      const prev = accepted.get(j.meta.commandId)
      if (prev !== undefined && prev !== res.events.length) unexpected.push(`command ${j.meta.commandId} reported ${res.events.length} events, before ${prev}`)
      accepted.set(j.meta.commandId, res.events.length)
    } catch (e) {
      if (isDomainError(e) && ['NOTHING_TO_DECIDE', 'ILLEGAL_TRANSITION', 'CONCURRENCY_CONFLICT'].includes(e.code)) refused.set(j.meta.commandId, e.code)
      else unexpected.push(e)
    }
  }
  // setup in parallel lanes (each case's two commands in order), then the races
  let next = 0
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    while (next < setup.length) for (const j of setup[next++]!) await run(j)
  }))
  t.same(unexpected, [], 'filings: no unexpected errors')
  t.equal(refused.size, 0, 'every filing accepted')
  next = 0
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    while (next < racing.length) await run(racing[next++]!)
  }))
  t.same(unexpected.map(String), [], 'no unexpected errors or changed answers under contention')
  const commands = accepted.size + refused.size
  t.ok(commands >= cases.length * 6, `${commands} distinct commands (${racing.length + setup.length * 2} sent)`)

  // the log: every accepted command's events exactly once, refused commands nothing
  const byCommand = new Map(
    (await env.db.query<{ c: string; n: number }>(`SELECT meta->>'commandId' AS c, count(*)::int AS n FROM events GROUP BY 1`)).rows.map((x) => [x.c, x.n]),
  )
  const wrong: string[] = []
  for (const [id, n] of accepted) if ((byCommand.get(id) ?? 0) !== n || n < 1) wrong.push(`${id}: reported ${n}, in log ${byCommand.get(id) ?? 0}`)
  for (const [id, code] of refused) if (accepted.has(id) ? false : byCommand.has(id)) wrong.push(`${id}: refused (${code}) but has events`)
  t.same(wrong, [], 'accepted commands appear exactly once in the log; refused ones not at all')
  const dupIds = await env.db.query(`SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1`)
  t.equal(dupIds.rows.length, 0, 'no event stored twice')
  // each filed application decided exactly once: one review decision, or withdrawn (also after being returned)
  const outcomes = await env.db.query<{ stream_id: string; types: string }>(
    `SELECT stream_id, string_agg(type, ',' ORDER BY stream_version) AS types FROM events
     WHERE type IN ('ReportApproved','ReportRejected','ReportReturned','ReportWithdrawn') GROUP BY 1`,
  )
  t.equal(outcomes.rows.length, cases.length, 'every case got an outcome')
  const allowed = new Set(['ReportApproved', 'ReportRejected', 'ReportReturned', 'ReportWithdrawn', 'ReportReturned,ReportWithdrawn'])
  t.same(outcomes.rows.filter((x) => !allowed.has(x.types)), [], 'and exactly one decision per application (a returned one may then be withdrawn)')
  const versions = await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events e JOIN streams s USING (stream_id) GROUP BY s.stream_id, s.version HAVING count(*) <> s.version`)
  t.equal(versions.rows.length, 0, 'stream versions match the events stored')

  // projections (running all along) equal a clean rebuild
  // every append has returned: wait for the last one (see lastAppendedPosition)
  const head = await lastAppendedPosition(env.db)
  t.ok(await runner.waitFor(head, undefined, 60_000), 'runner caught up')
  for (const p of PROJECTIONS) {
    const v = await liveVersionOf(env.db, p.name)
    const live = await dumpProjection(env.db, p, v)
    await runner.rebuild(p.name)
    const rebuilt = await dumpProjection(env.db, p, await liveVersionOf(env.db, p.name))
    t.same(live, rebuilt, `${p.name}: read model equals a clean rebuild (${Object.values(rebuilt).reduce((s, x) => s + x.length, 0)} rows)`)
  }
})
