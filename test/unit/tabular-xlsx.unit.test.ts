// Downloads as Excel: xlsxStream writes a paged table row by row; what it writes reads back as the same table (every
// page, in order, formulas neutralised, header bold and frozen, widths from the header and the first page), and a
// page that fails breaks the stream instead of ending it short.
import t from 'tap'
import ExcelJS from 'exceljs'
import type { Readable } from 'node:stream'
import { toXlsx, xlsxStream, type Cell } from '../../http/tabular.js'

const collect = async (s: Readable) => {
  const chunks: Buffer[] = []
  for await (const c of s) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}
const read = async (buf: Buffer) => {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buf as unknown as ArrayBuffer)
  return wb
}
const page = (from: number, n: number): Cell[][] => Array.from({ length: n }, (_, i) => [`A${from + i}`, from + i, (from + i) % 7 === 0 ? null : `王大明${from + i}`])

t.test('pages written in order, read back whole', async (t) => {
  async function* pages() {
    yield page(0, 500)
    yield page(500, 500)
    yield [...page(1000, 2), ['=HYPERLINK("x")', 3, '@SUM(A1)']]
  }
  const wb = await read(await collect(xlsxStream([{ title: '報備支援案件查詢結果', header: ['案件編號', '序', '姓名（很長的欄名）'], pages: pages() }])))
  const ws = wb.worksheets[0]!
  t.equal(ws.name, '報備支援案件查詢結果')
  t.equal(ws.rowCount, 1 + 1003, 'header + every row of every page')
  t.same(ws.getRow(1).values, [undefined, '案件編號', '序', '姓名（很長的欄名）'])
  t.equal(ws.getRow(1).font?.bold, true, 'header bold')
  t.match(ws.views[0], { state: 'frozen', ySplit: 1 }, 'header frozen')
  for (const i of [0, 1, 499, 500, 777, 1001]) {
    t.same(ws.getRow(i + 2).values, [undefined, `A${i}`, i, ...(i % 7 === 0 ? [] : [`王大明${i}`])], `row ${i}`)
  }
  t.same(ws.getRow(1004).values, [undefined, '\'=HYPERLINK("x")', 3, '\'@SUM(A1)'], 'formulas neutralised')
  t.equal(ws.getColumn(3).width, 9 * 2 + 2, 'widths from the header and the first page')
})

t.test('an empty paged table still has its header; toXlsx gives the same workbook for a table in memory', async (t) => {
  const empty = (await read(await collect(xlsxStream([{ title: 'a/b:c', header: ['x', 'y'], pages: [] }])))).worksheets[0]!
  t.equal(empty.name, 'a_b_c')
  t.equal(empty.rowCount, 1)
  const wb = await read(await toXlsx([{ title: 'one', header: ['x'], rows: [['1'], ['2']] }, { title: 'two', header: ['y'], rows: [] }]))
  t.same(wb.worksheets.map((w) => [w.name, w.rowCount]), [['one', 3], ['two', 1]])
})

t.test('a page that fails breaks the download', async (t) => {
  async function* pages() {
    yield page(0, 10)
    throw new Error('the read model went away')
  }
  await t.rejects(collect(xlsxStream([{ title: 'x', header: ['a', 'b', 'c'], pages: pages() }])), { message: 'the read model went away' })
})

t.test('a download abandoned part way reads no further page', async (t) => {
  let asked = 0
  let finished = false
  async function* pages() {
    try {
      for (let p = 0; p < 40; p++) {
        asked++
        yield page(p * 500, 500)
      }
    } finally {
      finished = true
    }
  }
  const s = xlsxStream([{ title: 'x', header: ['a', 'b', 'c'], pages: pages() }])
  await new Promise<void>((resolve) => {
    s.once('data', () => {
      s.destroy()
      resolve()
    })
  })
  for (let i = 0; i < 20 && !finished; i++) await new Promise((r) => setTimeout(r, 10))
  t.ok(finished, 'the pages were closed')
  t.ok(asked < 40, `${asked} of 40 pages read`)
})
