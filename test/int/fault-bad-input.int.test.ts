// Bad-input fuzz (fast-check) over every command input schema (domain/report/command-schemas.ts, what the JSON API
// validates with), through the boundary the HTTP layer uses (validate with the schema, then the report service;
// ImportReport through the command handler, as it has no service entry): whatever comes in, the answer is a coded DomainError or success — never
// another exception type (a 500) — and nothing is appended when the command is refused.
import { reportStream } from '../../domain/events.js'
import t from 'tap'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import { createCommandHandler } from '../../commands/command-handler.js'
import { createCaseService, type TermsInput } from '../../commands/case-service.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { registryMigrations } from '../../commands/registry/registry-migrations.js'
import { upsertInstitutions, upsertProfessionals } from '../../commands/registry/registry.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS } from '../../commands/registry/demo-registry.js'
import { isDomainError } from '../../domain/errors.js'
import { COMMAND_INPUT_SCHEMAS, validateCommandInput } from '../../domain/report/command-schemas.js'
import type { ReportCommandType } from '../../domain/report/commands.js'
import { decide } from '../../domain/report/decide.js'
import { evolve, initialState } from '../../domain/report/state.js'
import type { Actor } from '../../domain/types.js'
import { projectionEnv } from '../support/projection-env.js'

const RUNS = Number(process.env.BAOBEI_LONG ? 400 : 35)

t.test('fuzzed command inputs: coded errors only, nothing appended when refused', async (t) => {
  const env = await projectionEnv('bbfuzz')
  t.teardown(() => env.drop())
  await runMigrations(env.db, registryMigrations)
  await upsertInstitutions(env.db, DEMO_INSTITUTIONS)
  await upsertProfessionals(env.db, DEMO_PROFESSIONALS)
  const me = DEMO_PROFESSIONALS[0]!
  const actor: Actor = { role: 'professional', id: me.nationalId, name: me.name, via: 'hca-professional-card', institutionCode: me.homeInstitutionCode }
  const reviewer: Actor = { role: 'reviewer', id: 'R63001', via: 'staff-card', county: '63' }
  let serial = 0
  const service = createCaseService({
    db: env.db,
    store: env.store,
    clock: () => new Date('2025-01-02T01:00:00.000Z'),
    existing: { existingReports: async () => [] },
    numbers: {
      caseNumber: async () => `1140102${String(++serial).padStart(7, '0')}`,
      approvalNumber: async (county) => `${county}1140102${String(++serial % 100000).padStart(5, '0')}`,
    },
  })
  const importer = createCommandHandler(env.store, { initialState, evolve, decide })
  const meta = (a: Actor = actor) => ({ commandId: randomUUID(), actor: a })
  const validTerms: TermsInput = {
    supportedCode: '3563020002', department: '02', purpose: '01',
    schedule: { kind: 'weekly', from: '2025-02-03', to: '2025-03-28', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] },
  }
  /** A fresh case in the status the command needs. */
  const caseIn = async (status: 'draft' | 'under_review' | 'returned' | 'approved') => {
    const o = await service.draft({ applicantId: me.nationalId, terms: validTerms }, meta())
    if (status === 'draft') return o.caseId
    await service.submit(o.caseId, meta())
    if (status === 'returned') await service.return(o.caseId, { reason: '補件', fieldsToFix: ['schedule'] }, meta(reviewer))
    if (status === 'approved') await service.approve(o.caseId, {}, meta(reviewer))
    return o.caseId
  }
  const target: Record<ReportCommandType, 'draft' | 'under_review' | 'returned' | 'approved' | undefined> = {
    DraftReport: undefined, EditDraft: 'draft', SubmitReport: 'draft', ApproveReport: 'under_review', RejectReport: 'under_review',
    ReturnReport: 'under_review', ResubmitReport: 'returned', RequestChange: 'approved', RequestCancellation: 'approved',
    WithdrawReport: 'draft', AddAttachment: 'draft', RemoveAttachment: 'draft', ImportReport: undefined,
  }

  /** The boundary: schema first (VALIDATION_FAILED), then the service. */
  async function dispatch<T extends ReportCommandType>(type: T, caseId: string, raw: unknown) {
    const checked = validateCommandInput(type, raw)
    if (!checked.ok) throw checked.error
    const input = checked.value as any
    switch (type) {
      case 'DraftReport': return service.draft({ applicantId: input.nationalId ?? me.nationalId, terms: input.terms, ...(input.copiedFrom ? { copiedFrom: input.copiedFrom } : {}) }, meta())
      case 'EditDraft': return service.editDraft(caseId, input.terms, meta())
      case 'SubmitReport': return service.submit(caseId, meta())
      case 'ApproveReport': return service.approve(caseId, input, meta(reviewer))
      case 'RejectReport': return service.reject(caseId, input, meta(reviewer))
      case 'ReturnReport': return service.return(caseId, input, meta(reviewer))
      case 'ResubmitReport': return service.resubmit(caseId, input.terms, meta())
      case 'RequestChange': return service.requestChange(caseId, input, meta())
      case 'RequestCancellation': return service.requestCancellation(caseId, input, meta())
      case 'WithdrawReport': return service.withdraw(caseId, input, meta())
      case 'AddAttachment': return service.addAttachment(caseId, input.attachment, meta())
      case 'RemoveAttachment': return service.removeAttachment(caseId, input.hash, meta())
      case 'ImportReport': {
        const a: Actor = { role: 'operator', id: 'op', via: 'cli' }
        return importer.handle({ stream: reportStream(input.caseId), command: { type: 'ImportReport', data: input as never }, ctx: { actor: a, now: '2025-01-02T01:00:00.000Z' }, meta: { ...meta(a), correlationId: 'fuzz', occurredAt: '2025-01-02T01:00:00.000Z' } })
      }
    }
    throw new Error(`no dispatch for ${type}`)
  }

  // values near the schemas: right shapes with wrong contents, as well as anything at all
  // mostly schema-shaped values (so the service sees many inputs the schema lets through), sometimes anything
  const shaped = (good: fc.Arbitrary<unknown>, shape: fc.Arbitrary<unknown>, other: fc.Arbitrary<unknown> = fc.string()) =>
    fc.oneof({ weight: 6, arbitrary: good }, { weight: 3, arbitrary: shape }, { weight: 1, arbitrary: other })
  const date = shaped(fc.constantFrom('2025-02-03', '2025-02-30', '2024-13-01', '0000-00-00', '2025-01-01', '2025-03-28', '2099-12-31'), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/))
  const clock = shaped(fc.constantFrom('08:00', '12:00', '24:00', '00:00', '23:59', '13:30'), fc.stringMatching(/^([01]\d|2[0-3]):[0-5]\d$/))
  const schedule = shaped(
    fc.record({ kind: fc.constant('weekly'), from: date, to: date, weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), windows: fc.array(fc.record({ start: clock, end: clock }), { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('sessions'), sessions: fc.array(fc.record({ date, start: clock, end: clock }), { minLength: 1, maxLength: 4 }) }),
    fc.anything(),
  )
  const code = shaped(fc.constantFrom('3563020002', '0163010001', '9963000008', 'ZZZZZZZZZZ', '5965040006'), fc.stringMatching(/^[0-9A-Z]{10}$/))
  const terms = fc.record({ supportedCode: code, department: shaped(fc.constantFrom('02', '00', '40'), fc.stringMatching(/^[0-9A-Z]{2}$/)), purpose: shaped(fc.constantFrom('01', '07'), fc.stringMatching(/^\d{2}$/)), schedule })
  const reason = fc.oneof(fc.constantFrom('', '   ', '理由'), fc.string({ maxLength: 600 }))
  const hash = fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string())
  const attachment = fc.record({ hash, name: fc.string(), type: fc.oneof(fc.constantFrom('application/pdf', 'image/png', 'text/html'), fc.string()), size: fc.oneof(fc.integer({ min: -1, max: 20_000_000 }), fc.double()) })
  const person = fc.oneof(fc.constantFrom(me.nationalId, 'A123456780', 'B120887765', 'F122334458'), fc.stringMatching(/^[A-Z][12]\d{8}$/))
  const near: Record<ReportCommandType, fc.Arbitrary<unknown>> = {
    DraftReport: fc.record({ nationalId: person, terms, copiedFrom: fc.string({ minLength: 1, maxLength: 70 }) }, { requiredKeys: ['terms'] }),
    EditDraft: fc.record({ terms }),
    SubmitReport: fc.constant({}),
    ApproveReport: fc.record({ approvalNumber: fc.string({ maxLength: 16 }), note: fc.string() }, { requiredKeys: [] }),
    RejectReport: fc.record({ reason }),
    ReturnReport: fc.record({ reason, fieldsToFix: fc.array(fc.string(), { maxLength: 22 }) }),
    ResubmitReport: fc.record({ terms }),
    RequestChange: fc.record({ terms, reason }),
    RequestCancellation: fc.record({ effectiveDate: date, reason }),
    WithdrawReport: fc.record({ reason: fc.string() }, { requiredKeys: [] }),
    AddAttachment: fc.record({ attachment }),
    RemoveAttachment: fc.record({ hash }),
    ImportReport: fc.record({ caseId: fc.oneof(fc.uuid(), fc.string()), legacyNumber: fc.string(), caseNumber: fc.stringMatching(/^\d{14}$/), status: fc.constantFrom('approved', 'draft', 'bogus'), applicationType: fc.constantFrom('register', 'change'), applicant: fc.anything(), terms: fc.anything(), routing: fc.record({ reviewCounty: fc.constantFrom('63', '99'), copiedCounties: fc.array(fc.constantFrom('65', 'x')) }) }),
  }
  const count = async () => Number((await env.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM events`)).rows[0]!.n)
  const types = Object.keys(COMMAND_INPUT_SCHEMAS) as ReportCommandType[]
  t.equal(types.length, 13, 'every command input schema is fuzzed')
  const tally: Record<string, { ok: number; refused: number; codes: Set<string> }> = {}
  for (const type of types) {
    const stats = (tally[type] = { ok: 0, refused: 0, codes: new Set() })
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: near[type] }, { weight: 1, arbitrary: fc.anything() }), async (input) => {
        const caseId = target[type] ? await caseIn(target[type]) : ''
        const before = await count()
        try {
          await dispatch(type, caseId, input)
          stats.ok++
          return true
        } catch (e) {
          if (!isDomainError(e)) throw new Error(`${type}: ${(e as Error)?.stack ?? String(e)} for input ${JSON.stringify(input)}`)
          stats.refused++
          stats.codes.add(e.code)
          const after = await count()
          if (after !== before) throw new Error(`${type}: refused with ${e.code} but ${after - before} events appended`)
          return true
        }
      }),
      { numRuns: RUNS, seed: 20250102 },
    )
    t.ok(stats.refused > 0, `${type}: ${stats.refused} refused (${[...stats.codes].join(', ')}), ${stats.ok} accepted — no other exception, nothing appended when refused`)
  }
})
