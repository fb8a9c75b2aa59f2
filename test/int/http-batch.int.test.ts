// 批次上傳: template, per-row/per-cell errors, nothing filed before confirmation, progress, idempotent per file.
import t from 'tap'
import { buildTestApp, institution, login, multipart } from '../support/http.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'

const { app } = await buildTestApp(t)
const hospital = await login(app, institution('0163010001', '示範大學附設醫院'))
const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { cookie: hospital.cookie, ...headers } })
const upload = (content: Buffer, filename = 'batch.csv') => {
  const m = multipart({ _csrf: hospital.csrf }, [{ name: 'file', filename, type: 'text/csv', content }])
  return app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: hospital.cookie, ...m.headers }, payload: m.payload })
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
  t.match(r.body, /第 22 列<\/td><td data-label="欄位">身分證號<\/td><td[^>]*>不是本機構的醫事人員/)
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
  t.equal(r.statusCode, 422)
  t.match(r.body, '上傳檔案的標題列須為')
})
