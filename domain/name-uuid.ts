// Deterministic UUIDs from a name: RFC 9562 version 8 (custom), the first 128 bits of SHA-256 of the name with the
// version nibble set to 8 and the variant bits to 10. The one place ids are derived from content (case ids from a
// form's command id, demo case ids, batch rows, event ids). Pure: hashing only, no I/O.
import { createHash } from 'node:crypto'

/** A valid RFC 9562 UUID (any version 1-8, variant 10). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID_PATTERN.test(s)

/** The same name always gives the same UUID; callers prefix their names ('case:', 'event:') so kinds never meet. */
export function nameUuid(name: string): string {
  const b = createHash('sha256').update(name, 'utf8').digest().subarray(0, 16)
  b[6] = (b[6]! & 0x0f) | 0x80 // version 8
  b[8] = (b[8]! & 0x3f) | 0x80 // variant 10 (RFC 9562)
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** The case a form's command id files: submitting the same form twice lands on the same case. */
export const caseIdFor = (commandId: string): string => nameUuid(`case:${commandId}`)
