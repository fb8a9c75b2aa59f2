// capRulesFor: the caps listed per person on 報備支援額度限制 (the institution's page, the API, the back office's
// query) are the table's cap rules whose profession scope covers the person; ratio rules are the institution's.
import t from 'tap'
import { capRulesFor, type QuotaRuleTable } from '../../domain/rules/quota.js'
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
