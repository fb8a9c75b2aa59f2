// Batch upload files (Excel .xlsx or UTF-8 CSV) → rows of cells, with the template's columns. An .xlsx passes the zip
// guard (xlsx-guard.ts) and is then read in a worker thread with resource limits (xlsx-read.ts).
import ExcelJS from 'exceljs'
import { Readable } from 'node:stream'
import { parse as parseCsvStream } from 'csv-parse'
import { DomainError } from '../../domain/errors.js'
import { checkXlsxSize } from './xlsx-guard.js'
import { readXlsxInWorker, type XlsxWorkerLimits } from './xlsx-read.js'
import { FIRST_REFERENCE, onList, type ReferenceLists } from '../../domain/reference/lists.js'

export const BATCH_COLUMNS = ['身分證號', '被支援機構代碼', '支援科別', '支援目的', '開始日期', '結束日期', '星期', '開始時間', '結束時間', '備註'] as const
export const BATCH_KEYS = ['applicantId', 'supportedCode', 'department', 'purpose', 'from', 'to', 'weekdays', 'winStart', 'winEnd', 'note'] as const
export type BatchKey = (typeof BATCH_KEYS)[number]
export type BatchCells = Record<BatchKey, string>
export const MAX_BATCH_ROWS = 20_000

const isXlsx = (b: Buffer) => b[0] === 0x50 && b[1] === 0x4b // PK zip

/** CSV rows as a stream, stopping as soon as the file holds more rows than a batch may (never the whole table). */
async function parseCsv(text: string, maxRows: number): Promise<string[][]> {
  const parser = parseCsvStream({ relax_column_count: true, relax_quotes: true, skip_empty_lines: false })
  Readable.from(chunksOf(text)).pipe(parser)
  const rows: string[][] = []
  let nonEmpty = 0
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rows.push(record)
      if (record.some((c) => c.trim())) nonEmpty++
      if (nonEmpty > maxRows + 1) throw tooMany()
    }
  } catch (e) {
    if (e instanceof DomainError) throw e
    throw new DomainError('BATCH_FILE_INVALID', { reason: 'csv' }, 'CSV 檔案格式不正確（引號未成對等）')
  } finally {
    parser.destroy()
  }
  return rows
}

function* chunksOf(text: string, size = 64 * 1024) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size)
}

const tooMany = () => new DomainError('BATCH_FILE_INVALID', { rows: `>${MAX_BATCH_ROWS}` }, [`一次最多上傳 ${MAX_BATCH_ROWS} 筆`])

/** The data rows (header checked and skipped); row numbers as the user sees them (header = 1). */
export async function parseBatchFile(content: Buffer, opts: { xlsx?: XlsxWorkerLimits } = {}): Promise<{ rowNumber: number; cells: BatchCells }[]> {
  let table: string[][]
  if (isXlsx(content)) {
    await checkXlsxSize(content)
    const answer = await readXlsxInWorker(content, { columns: BATCH_COLUMNS.length, maxRows: MAX_BATCH_ROWS, ...(opts.xlsx ? { limits: opts.xlsx } : {}) })
    if ('error' in answer) throw answer.error === 'rows' ? tooMany() : new DomainError('BATCH_FILE_INVALID', { reason: answer.error })
    table = answer.table
  } else {
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content).replace(/^\uFEFF/, '')
    } catch {
      throw new DomainError('BATCH_FILE_INVALID', { reason: 'encoding' }, ['上傳檔案須為 UTF-8 編碼的 CSV 或 Excel（.xlsx）'])
    }
    table = await parseCsv(text, MAX_BATCH_ROWS)
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
  if (out.length > MAX_BATCH_ROWS) throw tooMany()
  return out
}

/**
 * The template: the columns and a sample row on the first sheet (the only one read back), and the codes of
 * 支援科別 and 支援目的 in force today on a second sheet 代碼表 (the lists are versioned data).
 */
export async function batchTemplateXlsx(reference: Pick<ReferenceLists, 'departments' | 'purposes'> = FIRST_REFERENCE): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('報備支援批次')
  ws.addRow([...BATCH_COLUMNS])
  const sample = (list: readonly { code: string }[], preferred: string) => (onList(list, preferred) ? preferred : list[0]?.code ?? '')
  ws.addRow(['A123456789', '3563020002', sample(reference.departments, '02'), sample(reference.purposes, '01'), '1130301', '1130331', '1,3', '0800', '1200', ''])
  ws.getRow(1).font = { bold: true }
  ws.columns.forEach((c) => (c.width = 14))
  for (let r = 1; r <= 2; r++) for (let c = 1; c <= BATCH_COLUMNS.length; c++) ws.getCell(r, c).numFmt = '@'
  const codes = wb.addWorksheet('代碼表')
  codes.addRow(['支援科別代碼', '支援科別', '', '支援目的代碼', '支援目的'])
  codes.getRow(1).font = { bold: true }
  const n = Math.max(reference.departments.length, reference.purposes.length)
  for (let i = 0; i < n; i++) {
    const d = reference.departments[i]
    const p = reference.purposes[i]
    const row = codes.addRow([d?.code ?? '', d?.name ?? '', '', p?.code ?? '', p?.name ?? ''])
    row.getCell(1).numFmt = '@'
    row.getCell(4).numFmt = '@'
  }
  codes.columns.forEach((c) => (c.width = 16))
  return Buffer.from(await wb.xlsx.writeBuffer())
}

export const batchTemplateCsv = (): string => `\uFEFF${BATCH_COLUMNS.join(',')}\r\nA123456789,3563020002,02,01,1130301,1130331,"1,3",0800,1200,\r\n`
