// Runs in a worker thread (http/batch/xlsx-read.ts starts it with resource limits and a deadline): loads one .xlsx
// with ExcelJS and answers the first sheet as a table of cell texts (the template's columns only). A hostile workbook
// can exhaust only this thread's heap or time; the server stops the thread and answers the user.
import { parentPort, workerData } from 'node:worker_threads'
import ExcelJS from 'exceljs'

export interface XlsxWorkerInput {
  content: Uint8Array
  columns: number
  maxRows: number
}
export type XlsxWorkerAnswer = { table: string[][] } | { error: 'xlsx' | 'no sheet' | 'rows' }

const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text)
  if (typeof v === 'object' && 'result' in v) return String((v as { result: unknown }).result ?? '')
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  return String(v)
}

async function read({ content, columns, maxRows }: XlsxWorkerInput): Promise<XlsxWorkerAnswer> {
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(Buffer.from(content.buffer, content.byteOffset, content.byteLength) as unknown as ArrayBuffer)
  } catch {
    return { error: 'xlsx' }
  }
  const ws = wb.worksheets[0]
  if (!ws) return { error: 'no sheet' }
  if (ws.actualRowCount > maxRows + 1) return { error: 'rows' }
  const table: string[][] = []
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = []
    for (let i = 1; i <= columns; i++) cells.push(cellText(row.getCell(i).value))
    table[n - 1] = cells
  })
  return { table }
}

if (parentPort) parentPort.postMessage(await read(workerData as XlsxWorkerInput))
