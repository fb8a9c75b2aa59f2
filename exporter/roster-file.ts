// Writes one roster file as the records come: header, details (streamed), trailer. Flat memory: records are
// buffered into chunks of about 256 KiB and written with back-pressure.
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { DetailDigest, encodeHeader, type RosterCounts, type RosterDetail, type RosterHeader } from './roster-format.js'

export interface WrittenRoster {
  counts: RosterCounts
  /** SHA-256 of the detail records (as in the trailer). */
  sha256: string
  /** SHA-256 of the whole file. */
  fileSha256: string
  bytes: number
}

const CHUNK = 256 * 1024

/** `batches`: the detail records, a batch (array) at a time (dayRosterBatches). */
export async function writeRosterFile(path: string, header: RosterHeader, batches: AsyncIterable<readonly RosterDetail[]>): Promise<WrittenRoster> {
  const fh = await open(path, 'w', 0o600) // names and national IDs: owner only
  const fileHash = createHash('sha256')
  let bytes = 0
  let pending = ''
  const write = async (s: string) => {
    fileHash.update(s, 'latin1')
    bytes += s.length
    await fh.write(s, null, 'latin1')
  }
  try {
    const digest = new DetailDigest()
    pending = encodeHeader(header)
    for await (const batch of batches) {
      pending += digest.addAll(batch)
      if (pending.length >= CHUNK) {
        await write(pending)
        pending = ''
      }
    }
    const trailer = digest.trailer()
    await write(pending + trailer.line)
    await fh.sync()
    return { counts: digest.counts, sha256: trailer.sha256, fileSha256: fileHash.digest('hex'), bytes }
  } finally {
    await fh.close()
  }
}
