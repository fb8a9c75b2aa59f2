// Tables for download: one header row + rows of cells, written as Excel (exceljs) or CSV (UTF-8 with BOM so
// Excel opens the Chinese text right; RFC 4180 quoting; cells starting with = + - @ are neutralised).
import { loadExcelJs } from '../../commands/platform/heavy-libraries.js'

export type Cell = string | number | null
export interface Table {
  title: string
  header: string[]
  rows: Cell[][]
}

const FORMULA = /^[=+\-@\t\r]/

const csvCell = (c: Cell): string => {
  if (c === null) return ''
  let s = String(c)
  if (typeof c === 'string' && FORMULA.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(table: Table): Buffer {
  const lines = [table.header, ...table.rows].map((r) => r.map(csvCell).join(','))
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8')
}

export async function toXlsx(tables: readonly Table[]): Promise<Buffer> {
  const ExcelJS = await loadExcelJs()
  const wb = new ExcelJS.Workbook()
  wb.creator = 'baobei'
  for (const t of tables) {
    const ws = wb.addWorksheet(t.title.slice(0, 31).replace(/[\\/?*[\]:]/g, '_'))
    ws.addRow(t.header).font = { bold: true }
    for (const r of t.rows) ws.addRow(r.map((c) => (typeof c === 'string' && FORMULA.test(c) ? `'${c}` : c)))
    ws.columns.forEach((col, i) => {
      const widest = Math.max(...[t.header, ...t.rows].map((r) => String(r[i] ?? '').length))
      col.width = Math.min(50, Math.max(8, widest * 2 + 2))
    })
    ws.views = [{ state: 'frozen', ySplit: 1 }]
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** Content-Disposition with a UTF-8 file name (RFC 6266/5987) and an ASCII fallback. */
export const attachmentHeader = (name: string, asciiFallback: string) =>
  `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encodeURIComponent(name)}`
