// Streams the rows of an imported file — CSV (UTF-8 or Big5, detected or given) or .xlsx (first sheet) — as
// header-named cells, in flat memory: csv-parse and exceljs's streaming reader, never the whole file at once.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { parse } from 'csv-parse'
import type ExcelJS from 'exceljs'
import { loadExcelJs } from '../platform/heavy-libraries.js'
import iconv from 'iconv-lite'

export type Encoding = 'utf8' | 'big5'

export interface TabularRow {
  /** Row number as the user sees it (header = 1). */
  row: number
  cells: Record<string, string>
}

export class FileFormatError extends Error {}

/** A record longer than this is refused (a broken quote would otherwise swallow the file). */
const MAX_RECORD_BYTES = 64 * 1024

export async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}

async function head(path: string, n: number): Promise<Buffer> {
  const f = await open(path, 'r')
  try {
    const b = Buffer.alloc(n)
    const { bytesRead } = await f.read(b, 0, n, 0)
    return b.subarray(0, bytesRead)
  } finally {
    await f.close()
  }
}

/** UTF-8 when the first 64 KiB decode as UTF-8 (a cut multi-byte character at the end aside), else Big5. */
export function detectEncoding(prefix: Buffer): Encoding {
  for (let cut = 0; cut <= 3 && cut < prefix.length + 1; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(0, prefix.length - cut))
      return 'utf8'
    } catch {
      // try without a cut character at the end
    }
  }
  return 'big5'
}

const isXlsx = (b: Buffer) => b[0] === 0x50 && b[1] === 0x4b

const cellText = (v: unknown): string => {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  if (typeof v === 'object') {
    if ('text' in v) return String((v as { text: unknown }).text)
    if ('result' in v) return String((v as { result: unknown }).result ?? '')
    if ('richText' in v) return (v as { richText: { text: string }[] }).richText.map((t) => t.text).join('')
  }
  return String(v)
}

function named(header: string[], values: string[]): Record<string, string> {
  const cells: Record<string, string> = {}
  header.forEach((h, i) => {
    if (h !== '') cells[h] = values[i] ?? ''
  })
  return cells
}

/** The header (trimmed column names) and then every non-empty data row. */
export async function* readTabular(path: string, opts: { encoding?: Encoding } = {}): AsyncGenerator<TabularRow, void, void> {
  const prefix = await head(path, 64 * 1024)
  if (isXlsx(prefix)) {
    yield* readXlsx(path)
    return
  }
  const encoding = opts.encoding ?? detectEncoding(prefix)
  const source = createReadStream(path)
  const decoded = encoding === 'utf8' ? source : source.pipe(iconv.decodeStream('big5'))
  const parser = decoded.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES }))
  let header: string[] | undefined
  let row = 0
  try {
    for await (const rec of parser as AsyncIterable<string[]>) {
      row++
      if (!header) {
        header = rec.map((h) => h.trim())
        continue
      }
      if (rec.every((c) => c.trim() === '')) continue
      yield { row, cells: named(header, rec) }
    }
  } catch (e) {
    if (e instanceof FileFormatError) throw e
    throw new FileFormatError(`CSV 第 ${row + 1} 列無法解析：${(e as Error).message}`)
  } finally {
    source.destroy()
  }
  if (!header) throw new FileFormatError('檔案沒有標題列')
}

async function* readXlsx(path: string): AsyncGenerator<TabularRow, void, void> {
  const reader = new (await loadExcelJs()).stream.xlsx.WorkbookReader(path, { sharedStrings: 'cache', worksheets: 'emit', styles: 'ignore', hyperlinks: 'ignore', entries: 'ignore' })
  for await (const sheet of reader) {
    let header: string[] | undefined
    for await (const r of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = (r.values as unknown[]).slice(1).map(cellText)
      if (!header) {
        header = values.map((h) => h.trim())
        continue
      }
      if (values.every((c) => c.trim() === '')) continue
      yield { row: r.number, cells: named(header, values) }
    }
    if (!header) throw new FileFormatError('檔案沒有標題列')
    return // first sheet only
  }
  throw new FileFormatError('活頁簿沒有工作表')
}
