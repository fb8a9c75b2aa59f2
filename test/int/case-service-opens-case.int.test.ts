// 報備支援 登錄 decides on a new case without reading its stream first (HandleInput.probablyNew). The same filing
// through another process (its own store and cache, as a second server or one restarted) is a guess that fails at
// the append: it must still get the first result, write nothing, and spend no case number.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { buildTestApp } from '../support/http.js'
import { createFrontParts } from '../../http/wiring.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import type { EventStore, ExpectedVersion, EventToAppend } from '../../commands/event-store/port.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import { reportStream } from '../../domain/events.js'
import type { Actor, Weekday } from '../../domain/types.js'

const { services, parts } = await buildTestApp(t)
const dataDir = await mkdtemp(join(tmpdir(), 'bb-opens-'))
// the other process: its own store (its own cache), counting the reads of report streams
const reads = { report: 0 }
const base = createPostgresEventStore(services.db)
const counted: EventStore = {
  ...base,
  readStream: (stream, o) => {
    if (stream.startsWith('report-')) reads.report++
    return base.readStream(stream, o)
  },
  append: (stream: string, es: EventToAppend[], ev: ExpectedVersion) => base.append(stream, es, ev),
}
const other = await createFrontParts({ db: services.db, store: counted, clock: services.clock, dataDir, runProjections: false })
t.teardown(async () => {
  await other.close()
  await base.close()
  await rm(dataDir, { recursive: true, force: true })
})

const pro: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
const terms = (weekday: Weekday) => ({
  supportedCode: '3563020002', department: '02', purpose: '01',
  schedule: { kind: 'weekly' as const, from: '2024-03-01', to: '2024-03-31', weekdays: [weekday], windows: [{ start: '09:00', end: '12:00' }] },
})
const file = (p: typeof parts, commandId: string, weekday: Weekday) =>
  p.reports.file({ caseId: caseIdFor(commandId), applicantId: 'A123456789', terms: terms(weekday) }, { commandId, actor: pro })
const numberOf = (o: { state: unknown }) => (o.state as { caseNumber?: string }).caseNumber

t.test('a new filing is not read first; the same filing elsewhere gets its first result and spends no number', async (t) => {
  const before = reads.report
  const id = randomUUID()
  const first = await file(other, id, 1)
  t.equal(first.duplicate, false)
  t.equal(reads.report - before, 0, 'the new case was not read before deciding')
  // the same command through this process (which has never seen the case)
  const again = await file(parts, id, 1)
  t.equal(again.duplicate, true, 'answered as the repeat it is')
  t.equal(again.caseId, first.caseId)
  t.equal(numberOf(again), numberOf(first), 'the same case number')
  t.equal((await services.store!.readStream(reportStream(first.caseId))).length, 2, 'nothing written twice')
  // and the next filing takes the next number: the repeat spent none
  await parts.waitFor(first.position)
  const next = await file(other, randomUUID(), 3)
  t.equal(Number(numberOf(next)!.slice(-7)), Number(numberOf(first)!.slice(-7)) + 1, 'no number spent by the repeat')
})

t.test('a filing refused on its new case: the refusal, nothing written', async (t) => {
  const id = randomUUID()
  await t.rejects(
    other.reports.file({ caseId: caseIdFor(id), applicantId: 'A123456789', terms: { ...terms(1), department: 'XX' } }, { commandId: id, actor: pro }),
    { code: 'UNKNOWN_DEPARTMENT' },
  )
  t.equal((await services.store!.readStream(reportStream(caseIdFor(id)))).length, 0)
})
