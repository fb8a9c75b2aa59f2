// Quota findings (報備支援額度限制) as a reviewer reads them on a case: one line per rule, not one per week —
// within / over, the numbers of the busiest period, the limit with its unit, the rule table's version — and a limit
// that could not be computed (the supported institution's staffing is not on file) said as such, never as 「上限 0」.
// Pure.
import { DEFAULT_QUOTA_RULES } from '../../domain/reference/quota-rules.js'
import { rocPeriodLabel } from '../../domain/roc-date.js'
import type { QuotaRuleTable } from '../../domain/rules/quota-types.js'
import { ratioUnit } from '../../domain/rules/quota.js'
import type { QuotaFinding } from '../../domain/types.js'

export const UNKNOWN_LIMIT = '未設定上限（預設值）'

export type QuotaState = 'within' | 'over' | 'unknown'

export interface QuotaPeriodLine {
  period: string // ROC label: 113年第9週, 113年3月
  used: number
  proposed: number
  total: number
  /** '8 診' or UNKNOWN_LIMIT */
  limit: string
  over: boolean
}

export interface QuotaRuleSummary {
  ruleId: string
  label: string
  basisLabel: string // 法定 / 建議值 / 系統設定值
  state: QuotaState
  stateLabel: string // 在上限內 / 超過上限 / 超過建議值 / 未設定上限（預設值）
  /** One sentence with the numbers. */
  text: string
  periods: QuotaPeriodLine[]
}

export interface QuotaSummary {
  ruleVersions: string[]
  within: number
  over: number
  unknown: number
  /** e.g. 額度檢核（規則版本 2024.1）：2 項在上限內，1 項超過建議值，2 項未設定上限（預設值） */
  headline: string
  rules: QuotaRuleSummary[]
}

/** How a rule's basis is said on screens. */
export const QUOTA_BASIS_LABEL = { law: '法定', proposal: '建議值', configured: '系統設定值' } as const
const BASIS_LABEL = QUOTA_BASIS_LABEL
const num = (n: number) => String(Math.round(n * 100) / 100)

function unitOf(f: QuotaFinding, table: QuotaRuleTable): string {
  if (f.unit === 'sessions') return '診'
  if (f.unit === 'hours') return '小時'
  const rule = table.rules.find((r) => r.id === f.ruleId)
  if (rule?.kind === 'ratio') return ratioUnit(rule)
  return ''
}

export function summarizeQuota(findings: readonly QuotaFinding[], table: QuotaRuleTable = DEFAULT_QUOTA_RULES): QuotaSummary {
  const byRule = new Map<string, QuotaFinding[]>()
  for (const f of findings) {
    const list = byRule.get(f.ruleId)
    if (list) list.push(f)
    else byRule.set(f.ruleId, [f])
  }
  const rules: QuotaRuleSummary[] = []
  for (const [ruleId, list] of byRule) {
    const first = list[0]!
    const unit = unitOf(first, table)
    const sorted = [...list].sort((a, b) => (a.period < b.period ? -1 : 1))
    const periods = sorted.map<QuotaPeriodLine>((f) => ({
      period: rocPeriodLabel(f.period),
      used: f.used,
      proposed: f.proposed,
      total: Math.round((f.used + f.proposed) * 100) / 100,
      limit: f.staffingUnknown ? UNKNOWN_LIMIT : `${num(f.limit)} ${unit}`.trim(),
      over: f.over,
    }))
    const known = sorted.filter((f) => !f.staffingUnknown)
    const over = known.filter((f) => f.over)
    const state: QuotaState = over.length ? 'over' : known.length ? 'within' : 'unknown'
    const stateLabel = state === 'over' ? (first.enforcement === 'block' ? '超過上限' : '超過建議值') : state === 'within' ? '在上限內' : UNKNOWN_LIMIT
    const n = sorted.length
    const weekly = first.period.includes('W')
    const span = weekly ? '週' : '個月'
    let text: string
    if (state === 'unknown') {
      text = `被支援機構的人力資料未登錄，無法計算上限（共 ${n} ${span}）`
    } else {
      // the busiest period against its limit (the worst ratio)
      const ratio = (f: QuotaFinding) => (f.limit > 0 ? (f.used + f.proposed) / f.limit : Number.POSITIVE_INFINITY)
      const peak = known.reduce((a, b) => (ratio(b) > ratio(a) ? b : a))
      const numbers = `${rocPeriodLabel(peak.period)} 已用 ${num(peak.used)}＋本案 ${num(peak.proposed)}＝${num(peak.used + peak.proposed)}／上限 ${num(peak.limit)} ${unit}`.trim()
      text = state === 'over'
        ? `${over.length}／${n} ${span}超過：${over.slice(0, 4).map((f) => rocPeriodLabel(f.period)).join('、')}${over.length > 4 ? ' 等' : ''}；最高 ${numbers}`
        : `共 ${n} ${span}皆在上限內；最高 ${numbers}`
      if (known.length < n) text += `；另 ${n - known.length} ${span}${UNKNOWN_LIMIT}`
    }
    rules.push({ ruleId, label: first.label, basisLabel: BASIS_LABEL[first.basis] ?? first.basis, state, stateLabel, text, periods })
  }
  const count = (s: QuotaState) => rules.filter((r) => r.state === s).length
  const ruleVersions = [...new Set(findings.map((f) => f.ruleVersion))].sort()
  const parts: string[] = []
  if (count('within')) parts.push(`${count('within')} 項在上限內`)
  const overRules = rules.filter((r) => r.state === 'over')
  if (overRules.length) {
    const blocking = overRules.filter((r) => r.stateLabel === '超過上限').length
    if (blocking) parts.push(`${blocking} 項超過上限`)
    if (overRules.length - blocking) parts.push(`${overRules.length - blocking} 項超過建議值`)
  }
  if (count('unknown')) parts.push(`${count('unknown')} 項${UNKNOWN_LIMIT}`)
  const version = ruleVersions.length ? `規則版本 ${ruleVersions.join('、')}` : '無適用規則'
  const headline = `額度檢核（${version}）：${parts.length ? parts.join('，') : '無適用的額度規則'}`
  return { ruleVersions, within: count('within'), over: overRules.length, unknown: count('unknown'), headline, rules }
}
