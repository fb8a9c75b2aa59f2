// Pure mappings between the EventStore port and EventStoreDB. Kept apart so they are tested without a server.
import type { ExpectedVersion, LogPosition } from './port.js'

export type EsdbExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint

/**
 * Our stream version n counts events (events carry 1..n); EventStoreDB revisions are 0-based, so a stream holding
 * n events is at revision n - 1, and "no events" is 'no_stream'.
 */
export function toEsdbExpectedRevision(expected: ExpectedVersion): EsdbExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected
  if (!Number.isInteger(expected) || expected < 0) throw new Error(`bad expected version ${expected}`)
  return expected === 0 ? 'no_stream' : BigInt(expected - 1)
}

/** Our version (event count) from an EventStoreDB revision ('no_stream' = 0 events). */
export function versionFromRevision(revision: bigint | 'no_stream' | string): number | 'no_stream' {
  if (typeof revision !== 'bigint') return 'no_stream'
  return Number(revision) + 1
}

/** Our ExpectedVersion back from an EventStoreDB expected revision (for error details). */
export function fromEsdbExpectedRevision(expected: EsdbExpectedRevision | string): ExpectedVersion {
  if (typeof expected === 'bigint') return Number(expected) + 1
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected
  return 'any'
}

export const toLogPosition = (p: { commit: bigint; prepare: bigint }): LogPosition => ({ commit: p.commit, prepare: p.prepare })

/** System events and streams of EventStoreDB start with '$': never ours. */
export const isSystemEvent = (type: string, stream: string) => type.startsWith('$') || stream.startsWith('$')

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Server-side event-type filter: exactly these types (a prefix filter would also match longer names). */
export function typeFilterRegex(types: readonly string[]): string {
  return `^(?:${types.map(escapeRegex).join('|')})$`
}

/** Non-system events only. */
export const NON_SYSTEM_REGEX = '^[^\\$]'

/** The 6.x client speaks esdb://; accept the kurrentdb:// spelling too. */
export function normaliseConnectionString(url: string): string {
  return url.replace(/^(kurrentdb|kurrent)(\+discover)?:\/\//, (_m, _s, d: string | undefined) => `esdb${d ?? ''}://`)
}

/** Resubscription delay after the n-th consecutive failure (ms): 100, 200, 400 ... capped at 10 s. */
export const backoffMs = (attempt: number) => Math.min(10_000, 100 * 2 ** Math.max(0, attempt - 1))
