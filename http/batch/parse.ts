// Batch upload files (Excel .xlsx or UTF-8 CSV) → rows of cells, with the template's columns.
import ExcelJS from 'exceljs'
import { DomainError } from '../../domain/errors.js'

export const BATCH_COLUMNS = ['身分證號', '被支援機構代碼', '支援科別', '支援目的', '開始日期', '結束日期', '星期', '開始時間', '結束時間', '備註'] as const
export const BATCH_KEYS = ['applicantId', 'supportedCode', 'department', 'purpose', 'from', 'to', 'weekdays', 'winStart', 'winEnd', 'note'] as const
export type BatchKey = (typeof BATCH_KEYS)[number]
export type BatchCells = Record<BatchKey, string>
export const MAX_BATCH_ROWS = 20_000

const isXlsx = (b: Buffer) => b[0] === 0x50 && b[1] === 0x4b // PK zip

function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(cell); cell = '' }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cell); rows.push(row); row = []; cell = ''
    } else cell += c
  }
  if (cell || row.length) { row.push(cell); rows.push(row) }
  return rows
}

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text)
  if (typeof v === 'object' && 'result' in v) return String((v as { result: unknown }).result ?? '')
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  return String(v)
}

/** The data rows (header checked and skipped); row numbers as the user sees them (header = 1). */
export async function parseBatchFile(content: Buffer): Promise<{ rowNumber: number; cells: BatchCells }[]> {
  let table: string[][]
  if (isXlsx(content)) {
    const wb = new ExcelJS.Workbook()
    try {
      await wb.xlsx.load(content as unknown as ArrayBuffer)
    } catch {
      throw new DomainError('BATCH_FILE_INVALID', { reason: 'xlsx' })
    }
    const ws = wb.worksheets[0]
    if (!ws) throw new DomainError('BATCH_FILE_INVALID', { reason: 'no sheet' })
    table = []
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: string[] = []
      for (let i = 1; i <= BATCH_COLUMNS.length; i++) cells.push(cellText(row.getCell(i).value))
      table[n - 1] = cells
    })
  } else {
    const text = content.toString('utf8').replace(/^\uFEFF/, '')
    if (text.includes('\uFFFD')) throw new DomainError('BATCH_FILE_INVALID', { reason: 'encoding' }, ['上傳檔案須為 UTF-8 編碼的 CSV 或 Excel（.xlsx）'])
    table = parseCsv(text)
  }
  const header = (table[0] ?? []).map((h) => (h ?? '').trim())
  if (BATCH_COLUMNS.some((c, i) => header[i] !== c)) throw new DomainError('BATCH_FILE_INVALID', { reason: 'header', expected: BATCH_COLUMNS }, [`上傳檔案的標題列須為：${BATCH_COLUMNS.join('、')}（請使用範本）`])
  const out: { rowNumber: number; cells: BatchCells }[] = []
  for (let i = 1; i < table.length; i++) {
    const r = table[i] ?? []
    if (r.every((c) => !c || !c.trim())) continue
    const cells = Object.fromEntries(BATCH_KEYS.map((k, j) => [k, (r[j] ?? '').trim()])) as BatchCells
    out.push({ rowNumber: i + 1, cells })
  }
  if (out.length > MAX_BATCH_ROWS) throw new DomainError('BATCH_FILE_INVALID', { rows: out.length }, [`一次最多上傳 ${MAX_BATCH_ROWS} 筆`])
  return out
}

export async function batchTemplateXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('報備支援批次')
  ws.addRow([...BATCH_COLUMNS])
  ws.addRow(['A123456789', '3563020002', '02', '01', '1130301', '1130331', '1,3', '0800', '1200', ''])
  ws.getRow(1).font = { bold: true }
  ws.columns.forEach((c) => (c.width = 14))
  for (let r = 1; r <= 2; r++) for (let c = 1; c <= BATCH_COLUMNS.length; c++) ws.getCell(r, c).numFmt = '@'
  return Buffer.from(await wb.xlsx.writeBuffer())
}

export const batchTemplateCsv = () => `\uFEFF${BATCH_COLUMNS.join(',')}\r\nA123456789,3563020002,02,01,1130301,1130331,"1,3",0800,1200,\r\n`
