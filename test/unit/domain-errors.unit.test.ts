// The error catalogue: every code has a zh-TW message and an HTTP status; templates are filled by the arguments a
// refusal carries, and the quota and conflict refusals show their numbers on the page and in the API alike.
import t from 'tap'
import { DomainError, ERRORS, errorMessage, isDomainError, type ErrorCode } from '../../domain/errors.js'
import { decide, evolve, initialState, type DecideContext, type ReportCommand } from '../../domain/report/index.js'
import type { ReportState } from '../../domain/report/state.js'
import { explain } from '../../http/errors.js'
import { CASE_NUMBER, history, NOW, PRO } from '../support/report-decider-fixtures.js'

t.test('every ErrorCode has a zh-TW message, an HTTP status and a well-formed template', async (t) => {
  const codes = Object.keys(ERRORS) as ErrorCode[]
  t.ok(codes.length > 50)
  for (const code of codes) {
    const spec: { status: number; zh: string; template?: string } = ERRORS[code]
    t.match(code, /^[A-Z][A-Z0-9_]+$/)
    t.ok(spec.zh.length > 0 && /[\u4e00-\u9fff]/.test(spec.zh), `${code} speaks zh-TW`)
    t.ok(Number.isInteger(spec.status) && spec.status >= 400 && spec.status <= 599, `${code} has an error status`)
    t.equal(errorMessage(code), spec.zh, `${code} without arguments is its plain message`)
    if (spec.template !== undefined) {
      const slots = spec.template.split('%s').length - 1
      t.ok(slots > 0, `${code} template has slots`)
      const args = Array.from({ length: slots }, (_, i) => `«${i}»`)
      const text = errorMessage(code, args)
      for (const a of args) t.ok(text.includes(a), `${code} shows argument ${a}`)
      t.equal(new DomainError(code, {}, args).message, text)
      t.equal(errorMessage(code, ['only-one', 'too', 'many', 'args', 'x', 'y'].slice(0, slots + 1)), spec.zh, 'arguments that do not fit: the plain message')
    }
  }
})

const refusal = (cmd: ReportCommand, ctx: DecideContext, s: ReportState): DomainError => {
  try {
    decide(cmd, s, ctx)
  } catch (e) {
    if (isDomainError(e)) return e
    throw e
  }
  throw new Error('not refused')
}

t.test('the quota and conflict refusals show their numbers', async (t) => {
  const draft = history.draft().reduce(evolve, initialState())
  const submit: ReportCommand = { type: 'SubmitReport', data: { caseNumber: CASE_NUMBER } }
  const quota = refusal(submit, { actor: PRO, now: NOW, quotaRules: { version: 'b', rules: [{ id: 'b', kind: 'cap', label: '每週 3 診', basis: 'configured', enforcement: 'block', scope: { professions: ['A'], supportedKinds: [], counties: [] }, period: 'week', unit: 'sessions', limit: 3 }] } }, draft)
  t.equal(quota.code, 'QUOTA_EXCEEDED')
  t.equal(explain(quota), '超過報備支援額度限制：每週 3 診（113年第10週：已用 0，本案 4，上限 3）')
  t.equal(quota.message, explain(quota), 'the API, the page and the log say the same')
  t.match(quota.details, { findings: [{ used: 0, proposed: 4, limit: 3 }] }, 'the figures stay in the details too')

  const conflict = refusal(submit, { actor: PRO, now: NOW, existing: [
    { caseId: 'x', caseNumber: '11302010000009', status: 'approved', occurrences: [{ date: '2024-03-06', start: '11:00', end: '13:00' }] },
    { caseId: 'y', caseNumber: '11302010000010', status: 'under_review', occurrences: [{ date: '2024-03-13', start: '09:00', end: '10:00' }] },
  ] }, draft)
  t.equal(conflict.code, 'SCHEDULE_CONFLICT')
  t.equal(explain(conflict), '支援時段與其他報備支援案件重疊：與案件 11302010000009、11302010000010 重疊')
})

t.test('passes(): a refusal is false, a pass is true, a bug keeps its stack, the stack-trace limit is restored', async (t) => {
  const { passes, fail } = await import('../../domain/errors.js')
  const limit = Error.stackTraceLimit
  t.equal(passes(() => undefined), true)
  let refusalStack: string | undefined
  t.equal(passes(() => {
    try {
      fail('FORBIDDEN')
    } catch (e) {
      refusalStack = (e as Error).stack
      throw e
    }
  }), false)
  t.notMatch(refusalStack ?? '', /\n\s+at /, 'a refusal asked through passes() is built without a stack trace')
  t.equal(Error.stackTraceLimit, limit, 'limit restored after a refusal')
  const bug = () => {
    const o: { deep?: { x: number } } = {}
    void o.deep!.x
  }
  const thrown = t.throws(() => passes(bug)) as Error
  t.type(thrown, TypeError, 'an error that is not a refusal is thrown on')
  t.match(thrown.stack ?? '', /\n\s+at /, 'with its stack trace')
  t.equal(Error.stackTraceLimit, limit, 'limit restored after a bug')
  // the refusal outside passes() still has its stack (the limit is not left at 0)
  t.match(String((t.throws(() => fail('FORBIDDEN')) as Error).stack), /\n\s+at /)
})
