// Rows → PostgreSQL COPY text format (tab-separated, \N for NULL, backslash escapes), by the column types of
// sql-rows' Columns: the same values jsonb_to_recordset would read from the rows' JSON.
import type { Columns } from './sql-rows.js'

const SPECIAL = /[\\\t\n\r]/
const SPECIAL_ALL = /[\\\t\n\r]/g
const ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/** One field's text escaped for COPY. */
export const copyEscape = (s: string) => (SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESC[c]!) : s)

const ARRAY_SPECIAL = /[",\\{}\s]|^null$/i
/** An array literal: '{a,"b c",NULL}'. */
function arrayLiteral(values: readonly unknown[]): string {
  const parts = values.map((v) => {
    if (v === null || v === undefined) return 'NULL'
    const s = String(v)
    return s === '' || ARRAY_SPECIAL.test(s) ? `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"` : s
  })
  return `{${parts.join(',')}}`
}

type Encode = (v: unknown) => string

function encoderFor(type: string): Encode {
  const t = type.trim().toLowerCase()
  if (t.endsWith('[]')) return (v) => copyEscape(arrayLiteral(v as unknown[]))
  if (t === 'jsonb' || t === 'json') return (v) => copyEscape(JSON.stringify(v))
  if (t === 'boolean' || t === 'bool') return (v) => (v ? 't' : 'f')
  // text, numbers, dates and timestamps: what JSON would carry (a Date as its ISO text, an object as its JSON)
  return (v) => copyEscape(typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v))
}

const ROWS_PER_CHUNK = 500

/** The rows as COPY text, in chunks of a few hundred rows (the stream never holds the whole batch as one string). */
export function* copyChunks(columns: Columns, rows: readonly Record<string, unknown>[]): Generator<string> {
  const names = Object.keys(columns)
  const enc = names.map((n) => encoderFor(columns[n]!))
  let out = ''
  let n = 0
  for (const row of rows) {
    for (let i = 0; i < names.length; i++) {
      const v = row[names[i]!]
      out += (v === null || v === undefined ? '\\N' : enc[i]!(v)) + (i === names.length - 1 ? '\n' : '\t')
    }
    if (++n === ROWS_PER_CHUNK) {
      yield out
      out = ''
      n = 0
    }
  }
  if (out) yield out
}
