// The default quota rule table. DATA, versioned. None of these numbers is law: each is a labelled proposal or a
// configured default that a bureau may change (replace the table, bump the version). Defaults only warn.
import type { QuotaRuleTable } from '../rules/quota-types.js'
import { PHARMACY_CODES, PHYSICIAN_CODES } from './professions.js'

export const DEFAULT_QUOTA_RULES: QuotaRuleTable = {
  version: '2024.1',
  rules: [
    {
      id: 'physician-weekly-sessions',
      kind: 'cap',
      label: '醫師每週（週一至週日）報備支援診次合計不超過 8 診（建議值，非法定，可由衛生局調整）',
      basis: 'proposal',
      enforcement: 'warn',
      scope: { professions: [...PHYSICIAN_CODES], supportedKinds: [], counties: [] },
      period: 'week',
      unit: 'sessions',
      limit: 8,
    },
    {
      id: 'pharmacist-weekly-hours',
      kind: 'cap',
      label: '藥師、藥劑生每週（週一至週日）於執業處所外支援時數（各支援處所合計）不超過 16 小時（建議值，非法定，可調整）',
      basis: 'proposal',
      enforcement: 'warn',
      scope: { professions: [...PHARMACY_CODES], supportedKinds: [], counties: [] },
      period: 'week',
      unit: 'hours',
      limit: 16,
    },
    {
      id: 'monthly-hours',
      kind: 'cap',
      label: '每人每月報備支援時數合計上限 120 小時（系統設定值，可由衛生局調整）',
      basis: 'configured',
      enforcement: 'warn',
      scope: { professions: [], supportedKinds: [], counties: [] },
      period: 'month',
      unit: 'hours',
      limit: 120,
    },
    {
      id: 'clinic-support-session-share',
      kind: 'ratio',
      measure: 'support_sessions_share',
      label: '診所每週（週一至週日）由支援醫師看診的診次不超過該診所每週總診次的 40%（醫師公會建議，非法定）',
      basis: 'proposal',
      enforcement: 'warn',
      scope: { professions: [...PHYSICIAN_CODES], supportedKinds: ['clinic'], counties: [] },
      period: 'week',
      unit: 'ratio',
      limit: 0.4,
    },
    {
      id: 'clinic-supporting-physicians',
      kind: 'ratio',
      measure: 'supporters_per_own_staff',
      staff: 'physicians',
      label: '診所每月支援醫師人數不超過該診所專任醫師人數的 2 倍（醫師公會建議，非法定）',
      basis: 'proposal',
      enforcement: 'warn',
      scope: { professions: [...PHYSICIAN_CODES], supportedKinds: ['clinic'], counties: [] },
      period: 'month',
      unit: 'ratio',
      limit: 2,
    },
  ],
}
