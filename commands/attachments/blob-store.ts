// Attachment content, stored by SHA-256 outside the log (events hold hash, name, type, size).
// Files are written to a temporary name, fsynced and renamed: a crash never leaves a half blob under its hash.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import type { Attachment } from '../../domain/types.js'
import { DomainError } from '../../domain/errors.js'
import { ATTACHMENT_MAX_BYTES, sniffAttachmentType } from './content-type.js'

export interface BlobStore {
  /** Checks type and size, stores the content, returns the attachment descriptor for the event. */
  put(name: string, content: Uint8Array): Promise<Attachment>
  get(hash: string): Promise<Buffer | undefined>
}

const HASH = /^[0-9a-f]{64}$/

export function createFileBlobStore(dir: string): BlobStore {
  const pathOf = (hash: string) => join(dir, hash.slice(0, 2), hash)
  return {
    async put(name, content) {
      if (content.byteLength > ATTACHMENT_MAX_BYTES) throw new DomainError('ATTACHMENT_TOO_LARGE', { max: ATTACHMENT_MAX_BYTES, size: content.byteLength })
      const type = sniffAttachmentType(content)
      if (!type) throw new DomainError('ATTACHMENT_TYPE', { name })
      const hash = createHash('sha256').update(content).digest('hex')
      const target = pathOf(hash)
      const exists = await stat(target).then(() => true, () => false)
      // an existing blob is touched: the orphan sweep (orphan-sweep.ts) spares what was uploaded within its grace
      if (exists) await utimes(target, new Date(), new Date()).catch(() => undefined)
      if (!exists) {
        await mkdir(join(dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 })
        const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`
        const fh = await open(tmp, 'w', 0o600) // attachments hold personal documents: owner only
        try {
          await fh.writeFile(content)
          await fh.sync()
        } finally {
          await fh.close()
        }
        await rename(tmp, target)
      }
      const safeName = name.replace(/[\\/\u0000-\u001f]/g, '_').slice(0, 200) || 'attachment'
      return { hash, name: safeName, type, size: content.byteLength }
    },
    async get(hash) {
      if (!HASH.test(hash)) return undefined
      return readFile(pathOf(hash)).catch(() => undefined)
    },
  }
}
