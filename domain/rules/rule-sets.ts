// Rules as versioned data (系統設定, DESIGN.md §7): the quota table, the review routing and the reference lists live
// on `rules-<name>` streams, one RuleVersionPublished per version, each with an effective instant and a reason. A
// filing, check or decision uses the version in force at its instant (inForce); a new version may only take effect
// from now on, so a rule change never alters a past decision. The first versions are today's constants. Pure.
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { DomainError } from '../errors.js'
import { COUNTIES } from '../reference/counties.js'
import { DEPARTMENTS } from '../reference/departments.js'
import { PROFESSIONS } from '../reference/professions.js'
import { PURPOSES } from '../reference/purposes.js'
import { DEFAULT_QUOTA_RULES } from '../reference/quota-rules.js'
import { DEFAULT_ROUTING_RULES, type RoutingRules } from './routing.js'
import type { QuotaRuleTable } from './quota-types.js'
import type { Actor, Instant } from '../types.js'

export const RULE_SET_NAMES = ['quota', 'routing', 'departments', 'purposes', 'counties', 'professions'] as const
export type RuleSetName = (typeof RULE_SET_NAMES)[number]
export const isRuleSetName = (s: string): s is RuleSetName => (RULE_SET_NAMES as readonly string[]).includes(s)

export const RULE_SET_LABEL: Readonly<Record<RuleSetName, string>> = {
  quota: '報備支援額度限制規則',
  routing: '審查縣市分派規則',
  departments: '支援科別',
  purposes: '支援目的',
  counties: '縣市及鄉鎮市區',
  professions: '醫事人員類別',
}

export const rulesStream = (name: RuleSetName) => `rules-${name}`

// ---- content schemas (what an administrator may publish) ----
const Code = Type.String({ minLength: 1, maxLength: 4 })
const Label = Type.String({ minLength: 1, maxLength: 300 })
const CodeList = (max: number) => Type.Array(Type.String({ maxLength: 4 }), { maxItems: max })
const Scope = Type.Object({ professions: CodeList(40), supportedKinds: Type.Array(Type.String({ maxLength: 30 }), { maxItems: 10 }), counties: CodeList(30) }, { additionalProperties: false })
const Common = {
  id: Type.String({ pattern: '^[a-z0-9-]{1,60}$' }),
  label: Label,
  basis: Type.Union([Type.Literal('law'), Type.Literal('proposal'), Type.Literal('configured')]),
  enforcement: Type.Union([Type.Literal('block'), Type.Literal('warn')]),
  scope: Scope,
  period: Type.Union([Type.Literal('week'), Type.Literal('month')]),
}
const CapRuleSchema = Type.Object({ ...Common, kind: Type.Literal('cap'), unit: Type.Union([Type.Literal('sessions'), Type.Literal('hours')]), limit: Type.Number({ minimum: 0, maximum: 10000 }) }, { additionalProperties: false })
const RatioRuleSchema = Type.Object({
  ...Common, kind: Type.Literal('ratio'), unit: Type.Literal('ratio'),
  measure: Type.Union([Type.Literal('support_sessions_share'), Type.Literal('supporters_per_own_staff')]),
  staff: Type.Optional(Type.Union([Type.Literal('physicians'), Type.Literal('pharmacists')])),
  limit: Type.Number({ minimum: 0, maximum: 100 }),
}, { additionalProperties: false })
const QuotaContent = Type.Object({ version: Type.Optional(Type.String({ maxLength: 40 })), rules: Type.Array(Type.Union([CapRuleSchema, RatioRuleSchema]), { maxItems: 100 }) }, { additionalProperties: false })
const ReviewBy = Type.Union([Type.Literal('supported'), Type.Literal('home')])
const RoutingContent = Type.Object({ default: ReviewBy, byProfession: Type.Record(Type.String({ pattern: '^[A-Z0-9]{1,4}$' }), ReviewBy), version: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false })
const NamedList = Type.Array(Type.Object({ code: Code, name: Label }, { additionalProperties: false }), { minItems: 1, maxItems: 500 })
const ProfessionList = Type.Array(Type.Object({ code: Code, name: Label, configurable: Type.Optional(Type.Literal(true)) }, { additionalProperties: false }), { minItems: 1, maxItems: 100 })
const CountyList = Type.Array(Type.Object({
  code: Type.String({ pattern: '^\\d{2}$' }), name: Label, bureau: Label,
  districts: Type.Array(Type.Object({ name: Label, zip: Type.String({ pattern: '^\\d{3}$' }) }, { additionalProperties: false }), { maxItems: 100 }),
}, { additionalProperties: false }), { minItems: 1, maxItems: 40 })

export const RULE_CONTENT_SCHEMAS = {
  quota: QuotaContent,
  routing: RoutingContent,
  departments: NamedList,
  purposes: NamedList,
  counties: CountyList,
  professions: ProfessionList,
} as const satisfies Record<RuleSetName, TSchema>

export interface RuleContents {
  quota: QuotaRuleTable
  routing: RoutingRules
  departments: Static<typeof NamedList>
  purposes: Static<typeof NamedList>
  counties: Static<typeof CountyList>
  professions: Static<typeof ProfessionList>
}

/** The first version of every rule set: today's constants. */
export const FIRST_VERSIONS: { [K in RuleSetName]: { versionId: string; content: RuleContents[K] } } = {
  quota: { versionId: DEFAULT_QUOTA_RULES.version, content: DEFAULT_QUOTA_RULES },
  routing: { versionId: 'routing-1', content: DEFAULT_ROUTING_RULES },
  departments: { versionId: 'departments-1', content: DEPARTMENTS.map((d) => ({ ...d })) },
  purposes: { versionId: 'purposes-1', content: PURPOSES.map((p) => ({ ...p })) },
  counties: { versionId: 'counties-1', content: COUNTIES.map((c) => ({ ...c, districts: c.districts.map((d) => ({ ...d })) })) },
  professions: { versionId: 'professions-1', content: PROFESSIONS.map((p) => ({ ...p })) },
}
/** In force since before any case: the first versions judge everything before the first change. */
export const FIRST_EFFECTIVE_FROM: Instant = '1911-01-01T00:00:00.000Z'

/** Validates content as published (coded error with the first problem's path). */
export function validateRuleContent<K extends RuleSetName>(name: K, content: unknown): RuleContents[K] {
  const schema = RULE_CONTENT_SCHEMAS[name]
  if (!Value.Check(schema, content)) {
    const first = Value.Errors(schema, content).First()
    throw new DomainError('RULE_VERSION_INVALID', { name, path: first?.path ?? '' }, `規則內容格式不正確：${first?.path || '（根）'} ${first?.message ?? ''}`.trim())
  }
  if (name === 'quota' || name === 'departments' || name === 'purposes' || name === 'counties' || name === 'professions') {
    const list = name === 'quota' ? (content as QuotaRuleTable).rules : (content as { code?: string; id?: string }[])
    const keys = list.map((x) => ('id' in x && x.id ? x.id : (x as { code: string }).code))
    if (new Set(keys).size !== keys.length) throw new DomainError('RULE_VERSION_INVALID', { name }, '規則內容格式不正確：代碼或規則編號重複')
  }
  return content as RuleContents[K]
}

// ---- event, state, decider ----
export interface RuleVersionPublished {
  type: 'RuleVersionPublished'
  data: { name: RuleSetName; versionId: string; effectiveFrom: Instant; reason: string; content: unknown }
}

export interface RuleVersion<K extends RuleSetName = RuleSetName> {
  name: K
  versionId: string
  effectiveFrom: Instant
  reason: string
  content: RuleContents[K]
  /** Order of publication on the stream (1-based). */
  seq: number
}

export interface RuleSetState {
  versions: RuleVersion[]
}
export const initialRuleSetState = (): RuleSetState => ({ versions: [] })
export const evolveRuleSet = (s: RuleSetState, e: RuleVersionPublished): RuleSetState =>
  e.type === 'RuleVersionPublished'
    ? { versions: [...s.versions, { name: e.data.name, versionId: e.data.versionId, effectiveFrom: e.data.effectiveFrom, reason: e.data.reason, content: e.data.content as never, seq: s.versions.length + 1 }] }
    : s

export interface PublishRuleVersion {
  type: 'PublishRuleVersion'
  data: { name: RuleSetName; versionId?: string; effectiveFrom: Instant; reason: string; content: unknown }
}

export interface RuleSetContext {
  actor: Actor
  now: Instant
}

/**
 * Only the MOHW administrator publishes rules (the first versions are published by the system). A version takes
 * effect at or after the command's instant: never in the past, so no decision already made is re-judged.
 */
export function decideRuleSet(c: PublishRuleVersion, s: RuleSetState, ctx: RuleSetContext): RuleVersionPublished[] {
  const first = ctx.actor.role === 'system' && s.versions.length === 0
  if (ctx.actor.role !== 'admin' && !first) throw new DomainError('FORBIDDEN')
  const { name } = c.data
  if (!isRuleSetName(name)) throw new DomainError('UNKNOWN_RULE_SET', { name })
  const reason = c.data.reason.trim()
  if (!reason) throw new DomainError('REASON_REQUIRED')
  if (reason.length > 500) throw new DomainError('RULE_VERSION_INVALID', { field: 'reason' }, '理由過長（500 字以內）')
  if (Number.isNaN(Date.parse(c.data.effectiveFrom))) throw new DomainError('RULE_VERSION_INVALID', { field: 'effectiveFrom' }, '生效時間格式不正確')
  if (!first && Date.parse(c.data.effectiveFrom) < Date.parse(ctx.now)) throw new DomainError('RULE_EFFECTIVE_IN_PAST', { effectiveFrom: c.data.effectiveFrom })
  const versionId = (c.data.versionId ?? '').trim() || `${name}-${s.versions.length + 1}`
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(versionId)) throw new DomainError('RULE_VERSION_INVALID', { field: 'versionId' }, '版本代碼須為 1–40 個英數字、點、底線或連字號')
  if (s.versions.some((v) => v.versionId === versionId)) throw new DomainError('RULE_VERSION_INVALID', { field: 'versionId' }, `版本代碼 ${versionId} 已使用`)
  let content = validateRuleContent(name, c.data.content) as unknown
  // the quota table names its version in every finding: it is the version id, whatever the content said
  if (name === 'quota' || name === 'routing') content = { ...(content as object), version: versionId }
  return [{ type: 'RuleVersionPublished', data: { name, versionId, effectiveFrom: new Date(c.data.effectiveFrom).toISOString(), reason, content } }]
}

/** The version in force at `at`: the latest effective one at or before it (the later published on a tie). */
export function inForce<K extends RuleSetName>(versions: readonly RuleVersion<K>[], at: Instant): RuleVersion<K> | undefined {
  const t = Date.parse(at)
  let best: RuleVersion<K> | undefined
  for (const v of versions) {
    const e = Date.parse(v.effectiveFrom)
    if (e > t) continue
    if (!best || e > Date.parse(best.effectiveFrom) || (e === Date.parse(best.effectiveFrom) && v.seq > best.seq)) best = v
  }
  return best
}
