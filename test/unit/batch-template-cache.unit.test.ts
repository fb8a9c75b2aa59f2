// The batch template (Excel) is built once per kind, Taipei day and code lists, and kept: the same key gives the
// same bytes without building again; another day, kind or list gives a new template.
import t from 'tap'
import ExcelJS from 'exceljs'
import { batchTemplateXlsx, CODE_SHEET } from '../../http/batch/parse.js'
import { FIRST_REFERENCE } from '../../domain/reference/lists.js'

const codesOf = async (buf: Buffer) => {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buf as unknown as ArrayBuffer)
  const ws = wb.getWorksheet(CODE_SHEET)!
  return ws.getColumn(1).values.slice(2).map(String)
}
const morning = new Date('2024-02-20T01:00:00Z') // 09:00 Taipei
const evening = new Date('2024-02-20T14:00:00Z') // 22:00 Taipei, the same day
const nextDay = new Date('2024-02-20T16:30:00Z') // 00:30 Taipei, the next day

t.test('the same key: the same template, not built again', async (t) => {
  const a = await batchTemplateXlsx(morning, FIRST_REFERENCE, 'register')
  const b = await batchTemplateXlsx(evening, FIRST_REFERENCE, 'register')
  t.equal(b, a, 'the same buffer object: a build would make a new one')
})

t.test('another day, kind or code list: another template', async (t) => {
  const a = await batchTemplateXlsx(morning, FIRST_REFERENCE, 'register')
  t.not(await batchTemplateXlsx(nextDay, FIRST_REFERENCE, 'register'), a, 'the next Taipei day')
  t.not(await batchTemplateXlsx(morning, FIRST_REFERENCE, 'change'), a, 'another kind')
  const more = { ...FIRST_REFERENCE, departments: [...FIRST_REFERENCE.departments, { code: 'ZC', name: '遠距會診科' }] }
  const c = await batchTemplateXlsx(morning, more, 'register')
  t.not(c, a)
  t.same((await codesOf(c)).filter((x) => x === 'ZC'), ['ZC'], 'the new department is on the code sheet')
  t.notOk((await codesOf(a)).includes('ZC'))
})
