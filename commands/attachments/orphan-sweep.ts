// Removal of attachment blobs no case references, after a grace period: content uploaded for a form that was never
// sent (or sent by someone probing the store) does not stay on disk for ever. A blob is kept when any event of the
// log names its hash (ReportDrafted.attachments, AttachmentAdded: also after AttachmentRemoved, since the case's
// history still shows it), or when it was written or re-uploaded within the grace period (BlobStore.put touches it).
import { readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { START, type EventStore } from '../event-store/port.js'

export const ORPHAN_GRACE_MS = 24 * 3600_000
const HASH = /^[0-9a-f]{64}$/

/** Every attachment hash the log names. */
export async function referencedBlobs(store: EventStore): Promise<Set<string>> {
  const out = new Set<string>()
  for await (const e of store.streamAll({ after: START, types: ['ReportDrafted', 'AttachmentAdded'] })) {
    const d = e.data as { attachments?: { hash?: unknown }[]; attachment?: { hash?: unknown } }
    for (const a of d.attachments ?? []) if (typeof a?.hash === 'string') out.add(a.hash)
    if (typeof d.attachment?.hash === 'string') out.add(d.attachment.hash)
  }
  return out
}

/** Deletes unreferenced blobs older than the grace period; returns how many. */
export async function sweepOrphanBlobs(opts: { dir: string; store: EventStore; now: Date; graceMs?: number }): Promise<number> {
  const grace = opts.graceMs ?? ORPHAN_GRACE_MS
  const referenced = await referencedBlobs(opts.store)
  let removed = 0
  for (const sub of await readdir(opts.dir).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue
    for (const name of await readdir(join(opts.dir, sub)).catch(() => [] as string[])) {
      if (!HASH.test(name) || referenced.has(name)) continue
      const file = join(opts.dir, sub, name)
      const s = await stat(file).catch(() => undefined)
      if (!s || opts.now.getTime() - s.mtimeMs < grace) continue
      await unlink(file).catch(() => undefined)
      removed++
    }
  }
  return removed
}
