// The guess limit of 申辦進度查詢: every lookup is charged BEFORE it is judged, in one statement, on two keys at once
// (the caller's address — IPv6 by /64 — and the case number asked about) within a 15-minute window; a lookup that
// finds its case is refunded, so only wrong guesses count. Past the limit the lookup is refused without being judged.
import type { Sql } from '../../commands/platform/database.js'
import type { Migration } from '../../commands/platform/migrations.js'

export const progressMigrations: Migration[] = [
  {
    id: 'public/001-progress-lookup-charges',
    sql: `
CREATE TABLE IF NOT EXISTS progress_lookup_charges (
  key text NOT NULL,              -- ip:<address or /64> | case:<case number>
  window_start timestamptz NOT NULL,
  count int NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX IF NOT EXISTS progress_lookup_charges_window ON progress_lookup_charges (window_start);
`,
  },
]

export const PROGRESS_WINDOW_MS = 15 * 60_000
export const PROGRESS_LIMITS = { ip: 10, case: 5 } as const

/** The address a limit is kept for: IPv4 as is, IPv6 by its /64. */
export function addressKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)
  if (v4) return v4[1]!
  if (!ip.includes(':')) return ip
  const [head = '', tail = ''] = ip.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const full = [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]
  return `${full.slice(0, 4).map((x) => x.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`
}

export interface Charge {
  allowed: boolean
  keys: string[]
  windowStart: Date
}

/** Charges one try on both keys (one statement); allowed when neither is past its limit. */
export async function chargeLookup(db: Sql, ip: string, caseNumber: string, now: Date): Promise<Charge> {
  const windowStart = new Date(Math.floor(now.getTime() / PROGRESS_WINDOW_MS) * PROGRESS_WINDOW_MS)
  const keys = [`ip:${addressKey(ip)}`, `case:${caseNumber}`]
  const r = await db.query<{ key: string; count: number }>(
    `INSERT INTO progress_lookup_charges (key, window_start, count) SELECT k, $2, 1 FROM unnest($1::text[]) AS k
     ON CONFLICT (key, window_start) DO UPDATE SET count = progress_lookup_charges.count + 1
     RETURNING key, count`,
    [keys, windowStart],
  )
  const over = r.rows.some((x) => Number(x.count) > (x.key.startsWith('ip:') ? PROGRESS_LIMITS.ip : PROGRESS_LIMITS.case))
  return { allowed: !over, keys, windowStart }
}

/** Gives a successful lookup its try back. */
export async function refundLookup(db: Sql, charge: Charge): Promise<void> {
  await db.query(`UPDATE progress_lookup_charges SET count = greatest(count - 1, 0) WHERE key = ANY($1::text[]) AND window_start = $2`, [charge.keys, charge.windowStart])
}

/** Drops windows long past (called now and then). */
export async function sweepLookupCharges(db: Sql, now: Date): Promise<void> {
  await db.query(`DELETE FROM progress_lookup_charges WHERE window_start < $1`, [new Date(now.getTime() - 2 * PROGRESS_WINDOW_MS)])
}
