// Issue #13: demo cases never reach a roster delivery: approvals filed under the demo seed's correlation prefix are
// left out of the day's roster by every roster source.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { reportStream } from '../../domain/events.js'
import { settledRosterDetails } from '../support/roster-details.js'
import { portRosterSource, postgresRosterSource } from '../../exporter/roster-source.js'
import { applicant, exporterEnv, noFindings, routing, terms } from './exporter-fixtures.js'

t.test('a demo-seeded approval is in no roster; a real one is', async (t) => {
  const env = await exporterEnv(t)
  const schedule = { kind: 'weekly' as const, from: '2024-03-11', to: '2024-06-30', weekdays: [1 as const], windows: [{ start: '08:00', end: '12:00' }] }
  const write = async (caseId: string, correlationId: string, caseNumber: string, nationalId: string) => {
    const meta = (occurredAt: string) => {
      const commandId = randomUUID()
      return { commandId, actor: { role: 'reviewer' as const, id: 'R001', via: 'staff-card' as const }, correlationId, causationId: commandId, occurredAt }
    }
    await env.store.append(reportStream(caseId), [
      { type: 'ReportDrafted', data: { caseId, applicant: applicant(nationalId, 'A', '0101090517'), filedBy: { role: 'professional', id: nationalId }, terms: terms('3501200000', '01', schedule), routing, attachments: [] }, meta: meta('2024-03-01T01:00:00.000Z') },
      { type: 'ReportSubmitted', data: { caseNumber, findings: noFindings }, meta: meta('2024-03-01T01:00:00.000Z') },
      { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: `X${caseNumber.slice(-6)}` }, meta: meta('2024-03-01T03:00:00.000Z') },
    ], 'any')
  }
  await write(randomUUID(), 'seed:demo-case-1', '11303010000001', 'A123456789')
  await write(randomUUID(), randomUUID(), '11303010000002', 'F122334458')
  for (const [name, source] of [['postgres', postgresRosterSource(env.db)], ['port', portRosterSource(env.store)]] as const) {
    const details = await settledRosterDetails(source, '2024-03-01')
    t.same(details.map((d) => d.caseNumber), ['11303010000002'], `${name}: only the real case`)
  }
})
