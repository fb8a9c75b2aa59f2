// Deterministic event ids: a name-based UUID (RFC 4122 version 5 layout, SHA-1) from the command id and the
// event's index in the command's output. The same command always yields the same event ids, which lets stores
// without a command table (EventStoreDB) recognise a repeated append.
import { createHash } from 'node:crypto'

/** Namespace UUID for baobei event ids (fixed, random). */
const NAMESPACE = Buffer.from('6d1f3c2a8b5e4f0a9c7d2e1b0a3f5c47', 'hex')

export function eventIdFor(commandId: string, index: number): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${commandId}#${index}`, 'utf8').digest()
  const b = Buffer.from(hash.subarray(0, 16))
  b[6] = (b[6]! & 0x0f) | 0x50 // version 5
  b[8] = (b[8]! & 0x3f) | 0x80 // RFC 4122 variant
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
