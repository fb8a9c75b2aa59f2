// capRulesFor: the caps listed per person on 報備支援額度限制 (the institution's page, the API, the back office's
// query) are the table's cap rules whose profession scope covers the person; ratio rules are the institution's. capStanding:
// where the person stands against each.
import t from 'tap'
import { capRulesFor, capStanding, type QuotaRuleTable } from '../../domain/rules/quota.js'
import { DEFAULT_QUOTA_RULES } from '../../domain/reference/quota-rules.js'
import { PHARMACY_CODES, PHYSICIAN_CODES } from '../../domain/reference/professions.js'

const ids = (table: QuotaRuleTable, profession: string) => capRulesFor(table, profession as never).map((r) => r.id).sort()

t.test('the default table: physicians, pharmacists and everyone else', async (t) => {
  t.same(ids(DEFAULT_QUOTA_RULES, PHYSICIAN_CODES[0]!), ['monthly-hours', 'physician-weekly-sessions'])
  t.same(ids(DEFAULT_QUOTA_RULES, PHARMACY_CODES[0]!), ['monthly-hours', 'pharmacist-weekly-hours'])
  const other = 'F' // 護理師
  t.notOk((PHYSICIAN_CODES as readonly string[]).includes(other) || (PHARMACY_CODES as readonly string[]).includes(other))
  t.same(ids(DEFAULT_QUOTA_RULES, other), ['monthly-hours'], 'a rule with no professions covers all')
  t.ok(capRulesFor(DEFAULT_QUOTA_RULES, PHYSICIAN_CODES[0]!).every((r) => r.kind === 'cap'), 'never a ratio rule')
})

t.test('a cap scoped to a kind of supported institution is listed: it binds filings there', async (t) => {
  const table: QuotaRuleTable = {
    ...DEFAULT_QUOTA_RULES,
    rules: [{ id: 'clinic-only', kind: 'cap', label: 'x', basis: 'configured', enforcement: 'block', period: 'week', unit: 'sessions', limit: 2, scope: { professions: [PHYSICIAN_CODES[0]!], supportedKinds: ['clinic'], counties: [] } }],
  }
  t.same(ids(table, PHYSICIAN_CODES[0]!), ['clinic-only'])
  t.same(ids(table, PHARMACY_CODES[0]!), [])
})

t.test('capStanding: approved and pending together against the limit, the excess rounded', async (t) => {
  const weekly = DEFAULT_QUOTA_RULES.rules.find((r) => r.id === 'physician-weekly-sessions')
  const monthly = DEFAULT_QUOTA_RULES.rules.find((r) => r.id === 'monthly-hours')
  if (weekly?.kind !== 'cap' || monthly?.kind !== 'cap') throw new Error('the default table changed')
  const use = { approvedSessions: 6, pendingSessions: 3, approvedHours: 18, pendingHours: 1 / 3 }
  t.same(capStanding(weekly, use), { used: 9, limit: weekly.limit, over: 9 > weekly.limit, excess: Math.max(0, 9 - weekly.limit) })
  t.same(capStanding(weekly, { ...use, pendingSessions: 0 }), { used: 6, limit: weekly.limit, over: false, excess: 0 })
  t.same(capStanding(weekly, undefined), { used: 0, limit: weekly.limit, over: false, excess: 0 }, 'no use in the period')
  t.equal(capStanding(monthly, use).used, 18.33, 'hours: 18 h 20 min')
  t.same(capStanding(monthly, { ...use, approvedHours: monthly.limit }), { used: monthly.limit + 0.33, limit: monthly.limit, over: true, excess: 0.33 })
})
