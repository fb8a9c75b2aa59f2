// 系統設定: publishing rule versions on the `rules-<name>` streams, the first versions (today's constants) appended
// once at start-up, and the versions in force at an instant for the decision context. Propagation is explicit: the
// administration projection NOTIFYs `RULES_CHANNEL` in the transaction that records a RuleVersionPublished, and
// every instance LISTENing drops its cache at once, so its next request reads the new version. The cache's TTL is
// kept as the fallback (a lost connection, PGlite without a listener). The version in force is chosen by the
// command's own instant, so one published in advance takes effect on its date by itself.
import { createCommandHandler } from '../command-handler.js'
import type { EventStore, LogPosition } from '../event-store/port.js'
import type { Database } from '../platform/database.js'
import { RULES_CHANNEL } from './rules-channel.js'
import { isDomainError } from '../../domain/errors.js'
import {
  decideRuleSet, evolveRuleSet, FIRST_EFFECTIVE_FROM, FIRST_VERSIONS, inForce, initialRuleSetState, RULE_SET_NAMES, rulesStream,
  type PublishRuleVersion, type RuleContents, type RuleSetContext, type RuleSetName, type RuleSetState, type RuleVersion, type RuleVersionPublished,
} from '../../domain/rules/rule-sets.js'
import type { Actor, Instant } from '../../domain/types.js'
import type { ReferenceLists } from '../../domain/reference/lists.js'

export const SYSTEM_ACTOR: Actor = { role: 'system', id: 'system', name: '系統', via: 'system' }

export interface RulesInForce {
  quota: RuleContents['quota']
  routing: RuleContents['routing']
  /** Version ids of every rule set in force. */
  versions: Record<RuleSetName, string>
}

export interface RulesService {
  /** Every version of a rule set, in publication order. */
  versions<K extends RuleSetName>(name: K): Promise<RuleVersion<K>[]>
  /** The version of a rule set in force at an instant. */
  at<K extends RuleSetName>(name: K, at: Instant): Promise<RuleVersion<K>>
  /** Quota table and routing in force at an instant (the decision context). */
  inForceAt(at: Instant): Promise<RulesInForce & { quotaRules: RuleContents['quota']; routingRules: RuleContents['routing']; reference: ReferenceLists }>
  /** The reference lists (支援科別, 支援目的, counties, professions) in force at an instant: forms, dropdowns, checks. */
  referenceAt(at: Instant): Promise<ReferenceLists>
  publish(input: { name: RuleSetName; versionId?: string; effectiveFrom: Instant; reason: string; content: unknown }, meta: { commandId: string; actor: Actor; correlationId?: string }): Promise<{ version: RuleVersion; position: LogPosition; duplicate: boolean }>
  /** Drops the cache (a notification, tests; a publication in this process does it by itself). */
  invalidate(): void
  /** LISTENs on RULES_CHANNEL: every notification drops the cache. Returns the unlisten function. */
  listen(db: Pick<Database, 'listen'>): Promise<() => Promise<void>>
}

const firstVersion = <K extends RuleSetName>(name: K): RuleVersion<K> => ({
  name, versionId: FIRST_VERSIONS[name].versionId, effectiveFrom: FIRST_EFFECTIVE_FROM, reason: '系統初始規則（原程式常數）',
  content: FIRST_VERSIONS[name].content as RuleContents[K], seq: 1,
})

export function createRulesService(deps: { store: EventStore; clock?: () => Date; ttlMs?: number }): RulesService {
  const clock = deps.clock ?? (() => new Date())
  const ttl = deps.ttlMs ?? 2000
  const handler = createCommandHandler<RuleSetState, PublishRuleVersion, RuleVersionPublished, RuleSetContext>(deps.store, {
    initialState: initialRuleSetState, evolve: evolveRuleSet, decide: decideRuleSet,
  }, { cachedStreams: 0 })
  const cache = new Map<RuleSetName, { at: number; versions: RuleVersion[] }>()
  // bumped by every invalidation: a read that started before one does not fill the cache with what it read
  let generation = 0
  const invalidate = () => {
    generation++
    cache.clear()
  }

  async function versions<K extends RuleSetName>(name: K): Promise<RuleVersion<K>[]> {
    const c = cache.get(name)
    if (c && Date.now() - c.at < ttl) return c.versions as RuleVersion<K>[]
    const started = generation
    const events = await deps.store.readStream(rulesStream(name))
    const state = events.reduce((s, e) => evolveRuleSet(s, e as unknown as RuleVersionPublished), initialRuleSetState())
    // before the first versions are appended (a fresh database), today's constants are the rules
    const list = state.versions.length ? state.versions : [firstVersion(name)]
    if (started === generation) cache.set(name, { at: Date.now(), versions: list })
    return list as RuleVersion<K>[]
  }

  async function at<K extends RuleSetName>(name: K, instant: Instant): Promise<RuleVersion<K>> {
    return inForce(await versions(name), instant) ?? firstVersion(name)
  }

  async function referenceAt(instant: Instant): Promise<ReferenceLists> {
    const [departments, purposes, counties, professions] = await Promise.all([
      at('departments', instant), at('purposes', instant), at('counties', instant), at('professions', instant),
    ])
    return { departments: departments.content, purposes: purposes.content, counties: counties.content, professions: professions.content as ReferenceLists['professions'] }
  }

  return {
    versions,
    at,
    referenceAt,
    async inForceAt(instant) {
      const all = await Promise.all(RULE_SET_NAMES.map((n) => at(n, instant)))
      const byName = Object.fromEntries(all.map((v) => [v.name, v])) as { [K in RuleSetName]: RuleVersion<K> }
      const quota = { ...byName.quota.content, version: byName.quota.versionId }
      const routing = { ...byName.routing.content, version: byName.routing.versionId }
      return {
        quota, routing, quotaRules: quota, routingRules: routing,
        reference: {
          departments: byName.departments.content, purposes: byName.purposes.content, counties: byName.counties.content,
          professions: byName.professions.content as ReferenceLists['professions'],
        },
        versions: Object.fromEntries(all.map((v) => [v.name, v.versionId])) as Record<RuleSetName, string>,
      }
    },
    async publish(input, meta) {
      const now = clock().toISOString()
      const r = await handler.handle({
        stream: rulesStream(input.name),
        command: { type: 'PublishRuleVersion', data: input },
        ctx: { actor: meta.actor, now },
        meta: { commandId: meta.commandId, actor: meta.actor, correlationId: meta.correlationId ?? meta.commandId, occurredAt: now },
      })
      invalidate()
      const version = r.state.versions.find((v) => v.versionId === (r.events[0]?.data.versionId ?? '')) ?? r.state.versions.at(-1)!
      return { version, position: r.position, duplicate: r.duplicate }
    },
    invalidate,
    listen: (db) => db.listen(RULES_CHANNEL, invalidate),
  }
}

/** Appends the first version of every rule set that has none (idempotent; safe with concurrent starters). */
export async function ensureFirstRuleVersions(store: EventStore, clock: () => Date = () => new Date()): Promise<void> {
  for (const name of RULE_SET_NAMES) {
    const existing = await store.readStream(rulesStream(name))
    if (existing.length) continue
    const [event] = decideRuleSet(
      { type: 'PublishRuleVersion', data: { name, versionId: FIRST_VERSIONS[name].versionId, effectiveFrom: FIRST_EFFECTIVE_FROM, reason: '系統初始規則（原程式常數）', content: FIRST_VERSIONS[name].content } },
      initialRuleSetState(),
      { actor: SYSTEM_ACTOR, now: clock().toISOString() },
    )
    const commandId = `rules-first:${name}`
    try {
      await store.append(rulesStream(name), [{ ...event!, meta: { commandId, actor: SYSTEM_ACTOR, correlationId: commandId, causationId: commandId, occurredAt: clock().toISOString() } }], 'no_stream')
    } catch (e) {
      if (!(isDomainError(e) && e.code === 'CONCURRENCY_CONFLICT')) throw e // another starter appended it
    }
  }
}
