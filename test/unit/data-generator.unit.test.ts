// The benchmark data generator: deterministic from its seed, national proportions, all 22 counties, realistic
// outcomes, valid metadata, and events exactly what the real command handler + report decider produce.
import t from 'tap'
import { createCommandHandler } from '../../commands/command-handler.js'
import { decide } from '../../domain/report/decide.js'
import { evolve, initialState } from '../../domain/report/state.js'
import { COUNTIES } from '../../domain/reference/counties.js'
import { isValidPersonId } from '../../domain/national-id.js'
import { generateCases, parseSize, caseEvents } from '../support/data-generator.js'
import { createMemoryEventStore } from '../support/memory-event-store.js'

const sample = [...generateCases({ seed: 11, events: 15_000 })]

t.test('deterministic from the seed', async (t) => {
  const again = [...generateCases({ seed: 11, events: 15_000 })]
  t.same(again.map(caseEvents), sample.map(caseEvents), 'same seed, same events (ids, times, data)')
  const other = [...generateCases({ seed: 12, events: 2_000 })]
  t.not(other[0]!.caseId, sample[0]!.caseId, 'another seed, other cases')
  t.ok(sample.flatMap(caseEvents).length >= 15_000, 'at least the asked number of events')
})

t.test('national proportions, every county, realistic outcomes', async (t) => {
  const people = [...new Map(sample.map((c) => [c.applicant.nationalId, c.applicant])).values()]
  const prof = (...codes: string[]) => people.filter((a) => codes.includes(a.profession)).length / people.length
  t.ok(Math.abs(prof('F', 'G') - 0.58) < 0.03, `nurses ${prof('F', 'G').toFixed(3)} ~ 0.58`)
  t.ok(Math.abs(prof('A') - 0.15) < 0.02, `physicians ${prof('A').toFixed(3)} ~ 0.15`)
  t.ok(Math.abs(prof('D') - 0.1) < 0.02, `pharmacists ${prof('D').toFixed(3)} ~ 0.10`)
  t.ok(Math.abs(prof('C') - 0.05) < 0.015 && Math.abs(prof('J') - 0.04) < 0.015 && Math.abs(prof('B') - 0.025) < 0.01, 'dentists, lab, TCM')
  const counties = new Set(sample.map((c) => (caseEvents(c)[0]!.data as { terms: { supported: { county: string } } }).terms.supported.county))
  t.equal(counties.size, COUNTIES.length, 'supported institutions in all 22 counties')
  const types = sample.flatMap(caseEvents).map((e) => e.type)
  const n = (ty: string) => types.filter((x) => x === ty).length
  const firstDecisions = sample.map((c) => caseEvents(c).find((e) => ['ReportApproved', 'ReportRejected', 'ReportReturned'].includes(e.type))?.type).filter(Boolean)
  const rate = (ty: string) => firstDecisions.filter((x) => x === ty).length / firstDecisions.length
  t.ok(Math.abs(rate('ReportApproved') - 0.85) < 0.03, `approved first time ${rate('ReportApproved').toFixed(3)} ~ 0.85`)
  t.ok(Math.abs(rate('ReportRejected') - 0.05) < 0.02, `rejected ${rate('ReportRejected').toFixed(3)} ~ 0.05`)
  t.ok(Math.abs(rate('ReportReturned') - 0.1) < 0.02, `returned ${rate('ReportReturned').toFixed(3)} ~ 0.10`)
  t.equal(n('ReportResubmitted'), n('ReportReturned'), 'every returned case was resubmitted')
  t.ok(n('ChangeRequested') > 0 && n('CancellationApproved') > 0 && n('ReportWithdrawn') > 0, 'changes, cancellations and withdrawals occur')
  const kinds = new Set(sample.map((c) => (caseEvents(c)[0]!.data as { terms: { schedule: { kind: string } } }).terms.schedule.kind))
  t.same([...kinds].sort(), ['sessions', 'weekly'], 'weekly and one-off schedules')
})

t.test('valid metadata on every event', async (t) => {
  const bad = sample.flatMap(caseEvents).filter((e) => !e.meta.commandId || !e.meta.correlationId || !e.meta.causationId || Number.isNaN(Date.parse(e.meta.occurredAt)) || !e.meta.actor?.role)
  t.equal(bad.length, 0, 'commandId, actor, correlation, causation, occurredAt')
  t.ok(sample.every((c) => isValidPersonId(c.applicant.nationalId)), 'national IDs have valid check digits')
  const ids = new Set(sample.flatMap((c) => c.commands.map((x) => x.meta.commandId)))
  t.equal(ids.size, sample.reduce((s, c) => s + c.commands.length, 0), 'command ids unique')
})

t.test('the events are exactly what the command handler and the report decider produce', async (t) => {
  const store = createMemoryEventStore()
  const handler = createCommandHandler(store, { initialState, evolve, decide })
  const differ: string[] = []
  let commands = 0
  for (const c of sample.slice(0, 400)) {
    for (const x of c.commands) {
      const r = await handler.handle({ stream: c.stream, command: x.command, ctx: x.ctx, meta: x.meta })
      commands++
      if (JSON.stringify(r.events) !== JSON.stringify(x.events)) differ.push(`${x.command.type} of ${c.caseId}`)
    }
  }
  t.same(differ, [], `${commands} commands replayed through the real handler give the generated events`)
  t.equal(store.events.length, sample.slice(0, 400).reduce((s, c) => s + caseEvents(c).length, 0), 'same number of events')
})

t.test('sizes', async (t) => {
  t.equal(parseSize('10k'), 10_000)
  t.equal(parseSize('1m'), 1_000_000)
  t.equal(parseSize('20m'), 20_000_000)
  t.throws(() => parseSize('lots'))
})
