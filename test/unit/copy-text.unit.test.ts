// copyChunks: rows → COPY text in UTF-8 chunks. The bytes must be exactly the text format PostgreSQL reads (tab
// between fields, newline after each row, \N for NULL, backslash escapes), whatever the chunk boundaries.
import t from 'tap'
import { COPY_CHUNK_BYTES, copyChunks } from '../../projections/copy-text.js'

const COLUMNS = { id: 'text', name: 'text', n: 'int', tags: 'text[]', doc: 'jsonb', ok: 'boolean', at: 'timestamptz' }

// the format written out by hand, field by field
const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
const arr = (xs: (string | null)[]) => `{${xs.map((x) => (x === null ? 'NULL' : x === '' || /[",\\{}\s]|^null$/i.test(x) ? `"${x.replace(/(["\\])/g, '\\$1')}"` : x)).join(',')}}`
function expected(rows: Record<string, unknown>[]) {
  return rows.map((r) => [
    r.id === null ? '\\N' : esc(String(r.id)),
    r.name === null ? '\\N' : esc(String(r.name)),
    r.n === null ? '\\N' : String(r.n),
    r.tags === null ? '\\N' : esc(arr(r.tags as (string | null)[])),
    r.doc === null ? '\\N' : esc(JSON.stringify(r.doc)),
    r.ok === null ? '\\N' : r.ok ? 't' : 'f',
    r.at === null ? '\\N' : (r.at as Date).toISOString(),
  ].join('\t') + '\n').join('')
}

function rowsOf(n: number, seed: number) {
  let x = seed
  const r = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648)
  const words = ['王大明', 'a\tb', 'line\nbreak', 'back\\slash', 'cr\r', '仁愛家醫診所', '', 'null', 'say "hi"', '{x}', 'plain']
  const pick = () => words[Math.floor(r() * words.length)]!
  return Array.from({ length: n }, (_, i) => ({
    id: `case-${i}`,
    name: r() < 0.1 ? null : pick() + pick(),
    n: r() < 0.1 ? null : Math.floor(r() * 1000),
    tags: r() < 0.1 ? null : [pick(), r() < 0.2 ? null : pick()],
    doc: r() < 0.1 ? null : { note: pick(), list: [pick(), i] },
    ok: r() < 0.1 ? null : r() < 0.5,
    at: r() < 0.1 ? null : new Date(Date.UTC(2024, 2, 1 + (i % 28), 8)),
  }))
}

t.test('the bytes are the text format, across chunk boundaries', async (t) => {
  const rows = rowsOf(20_000, 7)
  const chunks = [...copyChunks(COLUMNS, rows)]
  t.ok(chunks.length > 10, `${chunks.length} chunks`)
  t.ok(chunks.every((c) => c.length <= COPY_CHUNK_BYTES), 'each chunk within the chunk size')
  t.equal(Buffer.concat(chunks).toString('utf8'), expected(rows))
  t.ok(chunks.every((c) => c[c.length - 1] === 10), 'a chunk ends at the end of a row')
})

t.test('a row longer than a chunk gets a chunk of its own size', async (t) => {
  const big = '支援'.repeat(COPY_CHUNK_BYTES) // 6 bytes per pair in UTF-8: far beyond one chunk
  const rows = [...rowsOf(3, 1), { id: 'big', name: big, n: 1, tags: [], doc: { big }, ok: true, at: null }, ...rowsOf(3, 2)]
  const chunks = [...copyChunks(COLUMNS, rows)]
  t.equal(Buffer.concat(chunks).toString('utf8'), expected(rows))
})

t.test('values repeated from row to row (the same string or array, a value back again, NULL between)', async (t) => {
  const tags = ['63', 'a b']
  const doc = { x: '王\t' }
  const at = new Date(Date.UTC(2024, 2, 1))
  const rows = [
    { id: 'a', name: '王大明', n: 1, tags, doc, ok: true, at },
    { id: 'a', name: '王大明', n: 1, tags, doc, ok: true, at },
    { id: 'b', name: null, n: null, tags: null, doc: null, ok: null, at: null },
    { id: 'a', name: '王大明', n: 1, tags, doc, ok: false, at },
    { id: 'a', name: undefined, n: 2, tags: ['63', 'a b'], doc: { x: '王\t' }, ok: false, at: new Date(Date.UTC(2024, 2, 2)) },
  ]
  t.equal(Buffer.concat([...copyChunks(COLUMNS, rows)]).toString('utf8'), expected(rows.map((r) => ({ ...r, name: r.name ?? null }))))
})

t.test('no rows, no chunks', async (t) => {
  t.same([...copyChunks(COLUMNS, [])], [])
})
