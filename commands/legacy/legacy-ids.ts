// The stream of a migrated case is named by its old case number: the same number always gives the same case id, so
// a re-run can never import a case twice.
import { createHash } from 'node:crypto'

/** A stable UUID (v8 layout) for an old case number. */
export const legacyCaseId = (legacyNumber: string): string => {
  const h = createHash('sha256').update(`legacy-case:${legacyNumber}`).digest('hex')
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Content hash of a row's cells in the given column order (what "the same row" means on a re-run). */
export const rowHash = (cells: Readonly<Record<string, string | undefined>>, columns: readonly string[]): string =>
  createHash('sha256').update(JSON.stringify(columns.map((c) => (cells[c] ?? '').trim()))).digest('hex').slice(0, 24)
