// 批次上傳: template, per-row/per-cell errors, nothing filed before confirmation, progress, idempotent per file.
import { execFileSync } from 'node:child_process'
import ExcelJS from 'exceljs'
import t from 'tap'
import { buildTestApp, followForm, institution, login, multipart, professional } from '../support/http.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'

const { app } = await buildTestApp(t)
const hospital = await login(app, institution('0163010001', '示範大學附設醫院'))
const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { cookie: hospital.cookie, ...headers } })
const upload = (content: Buffer, filename = 'batch.csv', as = hospital) => {
  const m = multipart({ _csrf: as.csrf }, [{ name: 'file', filename, type: 'text/csv', content }])
  return app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: as.cookie, ...m.headers }, payload: m.payload })
}
const confirm = (jobId: string) => app.inject({ method: 'POST', url: `/institution/batch/${jobId}/confirm`, headers: { cookie: hospital.cookie, 'x-csrf-token': hospital.csrf } })
const countCases = async () => ((await get('/reports?status=under_review')).body.match(/<tr>/g) ?? []).length - 1
async function untilDone(jobId: string) {
  for (let i = 0; i < 200; i++) {
    const r = await get(`/institution/batch/${jobId}`, { 'hx-request': 'true' })
    if (!r.body.includes('hx-trigger="every 1s"')) return r.body
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error('batch did not finish')
}

// 20 valid rows for 劉冠宇 (one Monday each, no overlaps), one not our staff, one with bad cells
const rows = [BATCH_COLUMNS.join(',')]
for (let i = 0; i < 20; i++) {
  const d = new Date(Date.UTC(2024, 2, 4 + 7 * i)).toISOString().slice(0, 10)
  const roc = `${Number(d.slice(0, 4)) - 1911}${d.slice(5, 7)}${d.slice(8, 10)}`
  rows.push(`Q134567894,3563020002,04,01,${roc},${roc},1,0900,1200,`)
}
rows.push('F122334458,3563020002,02,01,1130301,1130331,"1,3",0800,1200,')
rows.push('A212345679,12345,99,01,1130231,1130331,,2500,1200,')
const csv = Buffer.from(`\uFEFF${rows.join('\r\n')}\r\n`)

t.test('templates download (Excel and CSV) with the expected header', async (t) => {
  const x = await get('/institution/batch/template.xlsx')
  t.equal(x.statusCode, 200)
  t.match(x.headers['content-type'], /spreadsheetml/)
  const c = await get('/institution/batch/template.csv')
  t.match(c.body, BATCH_COLUMNS.join(','))
  const back = await upload(x.rawPayload, 'template.xlsx')
  t.equal(back.statusCode, 200, 'the template itself uploads')
  t.match(back.body, '可申請 1 筆')
})

let jobId = ''
t.test('upload: every row checked, errors per row and cell, nothing filed yet', async (t) => {
  const before = await countCases()
  const r = await upload(csv)
  t.equal(r.statusCode, 200)
  t.match(r.body, '共 22 筆，<strong>可申請 20 筆</strong>，有錯誤 2 筆')
  t.match(r.body, /第 22 列<\/td><td data-label="欄位">身分證號<\/td><td[^>]*>機構只能為本機構的醫事人員申請/)
  t.match(r.body, /第 23 列<\/td><td data-label="欄位">被支援機構代碼/)
  t.match(r.body, /第 23 列<\/td><td data-label="欄位">支援科別/)
  t.match(r.body, /第 23 列<\/td><td data-label="欄位">開始日期/)
  t.match(r.body, /第 23 列<\/td><td data-label="欄位">星期/)
  jobId = /\/institution\/batch\/([0-9a-f]{64})\/confirm/.exec(r.body)![1]!
  t.equal(await countCases(), before, 'nothing filed before confirmation')
})

t.test('confirm: valid rows filed with a progress bar; the same file again files nothing twice', async (t) => {
  const r = await confirm(jobId)
  t.equal(r.statusCode, 303)
  const page = await get(`/institution/batch/${jobId}`)
  t.match(page.body, '<progress')
  const done = await untilDone(jobId)
  t.match(done, '完成：新申請 20 筆')
  t.equal(await countCases(), 20)
  const again = await upload(csv)
  t.match(again.body, '此檔案已送出過')
  t.equal((await confirm(jobId)).statusCode, 303)
  t.equal(await countCases(), 20, 'still 20')
})

t.test('a file that is not the template is refused with a zh-TW message', async (t) => {
  const r = await upload(Buffer.from('a,b,c\r\n1,2,3\r\n'))
  // 303 back to the upload page (POST-redirect-GET), the error at the file field, the file to be chosen again
  const page = await followForm(app, r, hospital.cookie)
  t.equal(page.status, 303)
  t.match(page.location, /^\/institution\/batch\?form=/)
  t.match(page.body, /id="err-file">上傳檔案的標題列須為/)
  t.match(page.body, '請重新選擇檔案')
})

t.test('one validation: rows the filing would refuse are refused by the check, and every row that passes files', async (t) => {
  // each of these passed the old check (cells well-formed, our staff, a known institution) and was refused at filing
  const lines = [
    BATCH_COLUMNS.join(','),
    'Q134567894,0163010001,02,01,1130304,1130329,1,1400,1700,', // supports its own home institution
    'Q134567894,3563020002,02,01,1130108,1130131,5,0800,1200,', // already past (today is 1130220)
    'A123456789,3563020002,02,01,1130402,1130430,2,0800,1200,', // files
    'A123456789,3565010003,02,01,1130402,1130430,2,1000,1300,', // clashes with the row above, in the same file
  ]
  const r = await upload(Buffer.from(lines.join('\r\n') + '\r\n'), 'one-validation.csv')
  t.equal(r.statusCode, 200)
  t.match(r.body, '共 4 筆，<strong>可申請 1 筆</strong>，有錯誤 3 筆')
  t.match(r.body, '將送出的資料（1 筆）', 'the rows to be filed are previewed')
  t.match(r.body, /第 4 列<\/td><td data-label="身分證號">[^<]+<\/td><td data-label="被支援機構代碼">3563020002<\/td>\s*<td data-label="支援科別">02 內科/)
  t.match(r.body, /第 2 列<\/td><td data-label="欄位">被支援機構代碼<\/td><td[^>]*>[^<]*執業機構/)
  t.match(r.body, /第 3 列<\/td><td data-label="欄位">開始日期<\/td>/)
  t.match(r.body, /第 5 列<\/td><td data-label="欄位">開始時間<\/td><td[^>]*>支援時段與本檔第 4 列重疊/)
  t.match(r.body, /<td data-label="支援時間">[^<]*每週二，0800–1200/, 'the schedule as words')
  const job = /\/institution\/batch\/([0-9a-f]{64})\/confirm/.exec(r.body)![1]!
  t.equal((await confirm(job)).statusCode, 303)
  const done = await untilDone(job)
  t.match(done, '完成：新申請 1 筆。', 'the row that passed the check is filed')
  t.notMatch(done, '未通過')
})

t.test('Big5 (cp950) CSV as saved by Excel on zh-TW Windows, and UTF-8 without BOM, are read', async (t) => {
  // another institution (each may keep only a few checked files open): 新北示範醫院 for its 陳志豪
  const ntpHospital = await login(app, institution('0165020004', '新北示範醫院'))
  const text = [BATCH_COLUMNS.join(','), 'F122334458,3563020002,02,01,1130506,1130531,1,1400,1700,支援門診（蘆洲）'].join('\r\n') + '\r\n'
  const big5 = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP950'], { input: text })
  t.notSame(big5, Buffer.from(text), 'the file really is Big5')
  const r = await upload(big5, 'big5.csv', ntpHospital)
  t.equal(r.statusCode, 200, r.body.slice(0, 300))
  t.match(r.body, '可申請 1 筆')
  const plain = await upload(Buffer.from(text.replace('1400', '1330')), 'utf8.csv', ntpHospital)
  t.match(plain.body, '可申請 1 筆', 'UTF-8 without BOM')
  const bad = await upload(Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xfe, 0x00]), 'bad.csv', ntpHospital)
  const badPage = await followForm(app, bad, ntpHospital.cookie)
  t.equal(badPage.status, 303)
  t.match(badPage.body, 'UTF-8 或 Big5')
})

t.test('the Excel template carries the code lists as a second sheet and as data validation, samples in the current year', async (t) => {
  const x = await get('/institution/batch/template.xlsx')
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
  const [data, codes] = wb.worksheets
  t.equal(codes?.name, '代碼表')
  t.equal(codes?.getCell('A2').value, '00')
  t.equal(codes?.getCell('B3').value, '家醫科')
  t.equal(codes?.getCell('D2').value, '01')
  t.equal(codes?.getCell('E2').value, '門診')
  const dv = (ws: ExcelJS.Worksheet, addr: string) => (ws as unknown as { dataValidations: { find(a: string): { type: string; formulae: string[] } | undefined } }).dataValidations.find(addr)
  t.match(dv(data!, 'C2'), { type: 'list', formulae: [/代碼表'?!\$A\$2:\$A\$\d+/] }, '支援科別 picks from the list')
  t.match(dv(data!, 'D500'), { type: 'list', formulae: [/代碼表'?!\$D\$2:\$D\$\d+/] }, '支援目的 too')
  t.match(String(data!.getCell('E2').value), /^113\d{4}$/, 'sample dates in the current ROC year (113 on this clock)')
  const csvTemplate = await get('/institution/batch/template.csv')
  t.match(csvTemplate.body, /\r\nA123456789,3563020002,02,01,113\d{4},113\d{4},/)
})

t.test('a professional batch-files their own rows (批次登錄): the ID column may be empty, another person is refused', async (t) => {
  const wang = await login(app, professional('A123456789', '王大明'))
  const page = await app.inject({ url: '/reports/batch', headers: { cookie: wang.cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, '一次申請本人的多筆報備支援')
  const lines = [BATCH_COLUMNS.join(','), ',3563020002,02,01,1130603,1130628,1,0800,1200,', 'Q134567894,3563020002,02,01,1130603,1130628,2,0800,1200,']
  const m = multipart({ _csrf: wang.csrf }, [{ name: 'file', filename: 'mine.csv', type: 'text/csv', content: Buffer.from(lines.join('\r\n')) }])
  const r = await app.inject({ method: 'POST', url: '/reports/batch', headers: { cookie: wang.cookie, ...m.headers }, payload: m.payload })
  t.equal(r.statusCode, 200)
  t.match(r.body, '共 2 筆，<strong>可申請 1 筆</strong>，有錯誤 1 筆')
  t.match(r.body, /第 3 列<\/td><td data-label="欄位">身分證號<\/td><td[^>]*>只能處理本人的報備支援案件/)
  const job = /\/reports\/batch\/([0-9a-f]{64})\/confirm/.exec(r.body)![1]!
  const c = await app.inject({ method: 'POST', url: `/reports/batch/${job}/confirm`, headers: { cookie: wang.cookie, 'x-csrf-token': wang.csrf } })
  t.equal(c.statusCode, 303)
  t.equal(c.headers.location, `/reports/batch/${job}`)
  let done = ''
  for (let i = 0; i < 200 && !done.includes('完成'); i++) {
    done = (await app.inject({ url: `/reports/batch/${job}`, headers: { cookie: wang.cookie, 'hx-request': 'true' } })).body
    if (!done.includes('完成')) await new Promise((res) => setTimeout(res, 100))
  }
  t.match(done, '完成：新申請 1 筆。')
  const hospitalJob = await app.inject({ url: `/institution/batch/${job}`, headers: { cookie: hospital.cookie } })
  t.equal(hospitalJob.statusCode, 404, "the professional's job is not the institution's")
})
