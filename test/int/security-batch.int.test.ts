// Issue #13, batch upload bounds: an .xlsx zip bomb is refused before ExcelJS inflates it, a CSV past the row limit
// stops at the limit, and an institution has at most MAX_OPEN_JOBS jobs open at once.
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import t from 'tap'
import { BATCH_COLUMNS, MAX_BATCH_ROWS, parseBatchFile } from '../../http/batch/parse.js'
import { checkXlsxSize } from '../../http/batch/xlsx-guard.js'
import { MAX_OPEN_JOBS } from '../../http/routes/batch.js'
import { buildTestApp, institution, login, multipart } from '../support/http.js'

const { app } = await buildTestApp(t)
const hospital = await login(app, institution('0163010001', '示範大學附設醫院'))
const upload = (content: Buffer, filename = 'batch.csv') => {
  const m = multipart({ _csrf: hospital.csrf }, [{ name: 'file', filename, type: 'application/octet-stream', content }])
  return app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: hospital.cookie, ...m.headers }, payload: m.payload })
}

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('x').addRow([...BATCH_COLUMNS])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

t.test('an .xlsx whose content inflates far past its size is refused before it is loaded', async (t) => {
  const zip = await JSZip.loadAsync(await workbook())
  zip.file('xl/media/padding.bin', Buffer.alloc(60 * 1024 * 1024))
  const bomb = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } })
  t.ok(bomb.length < 1024 * 1024, `bomb of ${bomb.length} bytes`)
  await t.rejects(checkXlsxSize(bomb), { code: 'BATCH_FILE_INVALID' })
  const r = await upload(bomb, 'bomb.xlsx')
  t.equal(r.statusCode, 422)
  t.match(r.body, '解壓縮後超過上限')
  await t.resolves(checkXlsxSize(await workbook()), 'a normal workbook passes')
})

t.test('a CSV past the row limit is refused at the limit', async (t) => {
  const row = 'A123456789,3563020002,02,01,1130301,1130331,1,0800,1200,\n'
  const csv = Buffer.from(BATCH_COLUMNS.join(',') + '\n' + row.repeat(MAX_BATCH_ROWS + 1))
  await t.rejects(parseBatchFile(csv), { code: 'BATCH_FILE_INVALID', message: `一次最多上傳 ${MAX_BATCH_ROWS} 筆` })
  const ok = Buffer.from(BATCH_COLUMNS.join(',') + '\n' + row.repeat(3))
  t.equal((await parseBatchFile(ok)).length, 3)
  await t.rejects(parseBatchFile(Buffer.from([0xff, 0xfe, 0x41])), { code: 'BATCH_FILE_INVALID' }, 'not UTF-8')
})

t.test(`an institution has at most ${MAX_OPEN_JOBS} batch jobs open`, async (t) => {
  const file = (n: number) => Buffer.from(`${BATCH_COLUMNS.join(',')}\nA123456789,3563020002,02,01,11303${String(n).padStart(2, '0')},1130331,1,0800,1200,\n`)
  for (let i = 1; i <= MAX_OPEN_JOBS; i++) t.equal((await upload(file(i))).statusCode, 200)
  const over = await upload(file(9))
  t.equal(over.statusCode, 422)
  t.match(over.body, '批次作業未完成')
  t.equal((await upload(file(1))).statusCode, 200, 'the same file again finds its job')
})
