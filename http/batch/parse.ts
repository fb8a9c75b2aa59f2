// Batch upload files (Excel .xlsx or UTF-8 CSV) → rows of cells, with the template's columns. An .xlsx passes the zip
// guard (xlsx-guard.ts) and is then read in a worker thread with resource limits (xlsx-read.ts).
import { loadExcelJs } from '../../commands/platform/heavy-libraries.js'
import { Readable } from 'node:stream'
import { parse as parseCsvStream } from 'csv-parse'
import { DomainError } from '../../domain/errors.js'
import { checkXlsxSize } from './xlsx-guard.js'
import { readXlsxInWorker, type XlsxWorkerLimits } from './xlsx-read.js'
import { FIRST_REFERENCE, onList, type ReferenceLists } from '../../domain/reference/lists.js'
import { addDays, isoToRoc, taipeiDate } from '../../domain/roc-date.js'

export const BATCH_COLUMNS = ['身分證號', '被支援機構代碼', '支援科別', '支援目的', '開始日期', '結束日期', '星期', '開始時間', '結束時間', '備註'] as const
export const BATCH_KEYS = ['applicantId', 'supportedCode', 'department', 'purpose', 'from', 'to', 'weekdays', 'winStart', 'winEnd', 'note'] as const
export type BatchKey = (typeof BATCH_KEYS)[number]
export type BatchCells = Record<BatchKey, string>

/** 申請類別 of a batch file: 登錄 (new cases), 變更 or 註銷 (of cases that stand, named by 案件編號 or 核准文號). */
export type BatchKind = 'register' | 'change' | 'cancel'
export const BATCH_KINDS: readonly BatchKind[] = ['register', 'change', 'cancel']
export const BATCH_KIND_LABEL: Record<BatchKind, string> = { register: '登錄', change: '變更', cancel: '註銷' }
export const isBatchKind = (v: unknown): v is BatchKind => typeof v === 'string' && (BATCH_KINDS as readonly string[]).includes(v)

/** 變更: the case, then its new terms (the 登錄 columns without the ID: the case names the professional) and the reason. */
export const CHANGE_COLUMNS = ['案件編號或核准文號', '被支援機構代碼', '支援科別', '支援目的', '開始日期', '結束日期', '星期', '開始時間', '結束時間', '備註', '變更理由'] as const
export const CHANGE_KEYS = ['caseRef', 'supportedCode', 'department', 'purpose', 'from', 'to', 'weekdays', 'winStart', 'winEnd', 'note', 'reason'] as const
export type ChangeCells = Record<(typeof CHANGE_KEYS)[number], string>
/** 註銷: the case, and what the single 註銷 form asks (生效日, 理由). */
export const CANCEL_COLUMNS = ['案件編號或核准文號', '註銷生效日', '註銷理由'] as const
export const CANCEL_KEYS = ['caseRef', 'effectiveDate', 'reason'] as const
export type CancelCells = Record<(typeof CANCEL_KEYS)[number], string>

/** The template's columns and the cells' keys of each kind. */
export const BATCH_LAYOUT: Record<BatchKind, { columns: readonly string[]; keys: readonly string[] }> = {
  register: { columns: BATCH_COLUMNS, keys: BATCH_KEYS },
  change: { columns: CHANGE_COLUMNS, keys: CHANGE_KEYS },
  cancel: { columns: CANCEL_COLUMNS, keys: CANCEL_KEYS },
}
export const MAX_BATCH_ROWS = 20_000

/**
 * A CSV's text: UTF-8 with or without BOM, or Big5 (cp950) as Excel saves "CSV" on a zh-TW Windows. A file that is
 * valid UTF-8 is read as UTF-8; otherwise as Big5 (WHATWG big5, a superset of cp950); neither is refused.
 */
export function decodeCsv(content: Buffer): string {
  const bom = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bom ? content.subarray(3) : content)
  } catch {
    if (bom) throw notText()
  }
  try {
    return new TextDecoder('big5', { fatal: true }).decode(content)
  } catch {
    throw notText()
  }
}
const notText = () => new DomainError('BATCH_FILE_INVALID', { reason: 'encoding' }, ['上傳檔案須為 CSV（UTF-8 或 Big5 編碼）或 Excel（.xlsx）'])

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
export async function parseBatchFile(content: Buffer, opts?: { xlsx?: XlsxWorkerLimits; kind?: 'register' }): Promise<{ rowNumber: number; cells: BatchCells }[]>
export async function parseBatchFile(content: Buffer, opts: { xlsx?: XlsxWorkerLimits; kind: BatchKind }): Promise<{ rowNumber: number; cells: Record<string, string> }[]>
export async function parseBatchFile(content: Buffer, opts: { xlsx?: XlsxWorkerLimits; kind?: BatchKind } = {}): Promise<{ rowNumber: number; cells: Record<string, string> }[]> {
  const { columns, keys } = BATCH_LAYOUT[opts.kind ?? 'register']
  let table: string[][]
  if (isXlsx(content)) {
    await checkXlsxSize(content)
    const answer = await readXlsxInWorker(content, { columns: columns.length, maxRows: MAX_BATCH_ROWS, ...(opts.xlsx ? { limits: opts.xlsx } : {}) })
    if ('error' in answer) throw answer.error === 'rows' ? tooMany() : new DomainError('BATCH_FILE_INVALID', { reason: answer.error })
    table = answer.table
  } else {
    table = await parseCsv(decodeCsv(content), MAX_BATCH_ROWS)
  }
  const header = (table[0] ?? []).map((h) => (h ?? '').trim())
  if (columns.some((c, i) => header[i] !== c)) throw new DomainError('BATCH_FILE_INVALID', { reason: 'header', expected: columns }, [`上傳檔案的標題列須為：${columns.join('、')}（請使用範本；申請類別「${BATCH_KIND_LABEL[opts.kind ?? 'register']}」）`])
  const out: { rowNumber: number; cells: Record<string, string> }[] = []
  for (let i = 1; i < table.length; i++) {
    const r = table[i] ?? []
    if (r.every((c) => !c || !c.trim())) continue
    const cells = Object.fromEntries(keys.map((k, j) => [k, (r[j] ?? '').trim()]))
    out.push({ rowNumber: i + 1, cells })
  }
  if (out.length > MAX_BATCH_ROWS) throw tooMany()
  return out
}

/**
 * Sample rows of the templates, in the current year (Asia/Taipei): two weeks from today for four weeks (or up to
 * 31 December), Mondays and Wednesdays 08:00–12:00.
 */
export function templateSampleRows(now: Date, reference: Pick<ReferenceLists, 'departments' | 'purposes'> = FIRST_REFERENCE, kind: BatchKind = 'register'): string[][] {
  const sample = (list: readonly { code: string }[], preferred: string) => (onList(list, preferred) ? preferred : list[0]?.code ?? '')
  const today = taipeiDate(now.toISOString())
  const yearEnd = `${today.slice(0, 4)}-12-31`
  let from = addDays(today, 14)
  if (from > yearEnd) from = addDays(today, 1) > yearEnd ? today : addDays(today, 1)
  const to = addDays(from, 27) > yearEnd ? yearEnd : addDays(from, 27)
  const terms = ['3563020002', sample(reference.departments, '02'), sample(reference.purposes, '01'), isoToRoc(from), isoToRoc(to), '1,3', '0800', '1200']
  // a made-up case number of today (範例列: the user replaces it with the case's 案件編號 or 核准文號)
  const caseRef = `${isoToRoc(today).padStart(7, '0')}0000001`
  if (kind === 'change') return [[caseRef, ...terms, '範例列，請改為實際資料', '門診時段調整']]
  if (kind === 'cancel') return [[caseRef, isoToRoc(from), '範例列：支援結束，請改為實際理由']]
  return [['A123456789', ...terms, '範例列，請改為實際資料']]
}

/** The code lists the template carries (second sheet, and Excel data validation of the two columns). */
export const CODE_SHEET = '代碼表'

/**
 * The template as Excel. A pure function of the kind, the Taipei day (its example dates) and the two code lists, and
 * ~120 ms of CPU to build (2,000 text-formatted rows): built once per such key and kept (the last few keys).
 */
export function batchTemplateXlsx(now: Date, reference: Pick<ReferenceLists, 'departments' | 'purposes'> = FIRST_REFERENCE, kind: BatchKind = 'register'): Promise<Buffer> {
  const key = JSON.stringify([kind, taipeiDate(now.toISOString()), reference.departments, reference.purposes])
  let built = templateCache.get(key)
  if (!built) {
    built = buildTemplateXlsx(now, reference, kind)
    built.catch(() => templateCache.delete(key))
    templateCache.set(key, built)
    if (templateCache.size > TEMPLATES_KEPT) templateCache.delete(templateCache.keys().next().value!)
  }
  return built
}
const TEMPLATES_KEPT = 6
const templateCache = new Map<string, Promise<Buffer>>()

async function buildTemplateXlsx(now: Date, reference: Pick<ReferenceLists, 'departments' | 'purposes'>, kind: BatchKind): Promise<Buffer> {
  const { departments, purposes } = reference
  const { columns } = BATCH_LAYOUT[kind]
  const ExcelJS = await loadExcelJs()
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('報備支援批次')
  const codes = wb.addWorksheet(CODE_SHEET)
  codes.addRow(['支援科別代碼', '支援科別', '', '支援目的代碼', '支援目的'])
  const n = Math.max(departments.length, purposes.length)
  for (let i = 0; i < n; i++) {
    const d = departments[i]
    const p = purposes[i]
    codes.addRow([d?.code ?? null, d?.name ?? null, null, p?.code ?? null, p?.name ?? null])
  }
  codes.getRow(1).font = { bold: true }
  codes.columns.forEach((c) => (c.width = 16))
  for (let r = 2; r <= n + 1; r++) for (const c of [1, 4]) codes.getCell(r, c).numFmt = '@'
  ws.addRow([...columns])
  for (const row of templateSampleRows(now, reference, kind)) ws.addRow(row)
  ws.getRow(1).font = { bold: true }
  ws.columns.forEach((c) => (c.width = 14))
  const LAST = 2001
  for (let r = 1; r <= LAST; r++) for (let c = 1; c <= columns.length; c++) ws.getCell(r, c).numFmt = '@'
  const list = (col: string, count: number, title: string) => ({
    type: 'list' as const, allowBlank: true, showErrorMessage: true, errorStyle: 'stop', errorTitle: title, error: `請從「${CODE_SHEET}」選擇${title}代碼`,
    formulae: [`'${CODE_SHEET}'!$${col}$2:$${col}$${count + 1}`],
  })
  const dv = (ws as unknown as { dataValidations: { add(range: string, v: unknown): void } }).dataValidations
  // 支援科別 and 支援目的 are columns C and D of both 登錄 and 變更 (註銷 has no code columns)
  if (kind !== 'cancel') {
    dv.add(`C2:C${LAST}`, list('A', departments.length, '支援科別'))
    dv.add(`D2:D${LAST}`, list('D', purposes.length, '支援目的'))
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

export const batchTemplateCsv = (now: Date, reference: Pick<ReferenceLists, 'departments' | 'purposes'> = FIRST_REFERENCE, kind: BatchKind = 'register') =>
  `\uFEFF${BATCH_LAYOUT[kind].columns.join(',')}\r\n${templateSampleRows(now, reference, kind).map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n')}\r\n`
