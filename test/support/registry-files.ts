// Writers of registry-feed and legacy-export files for tests and the benchmark: CSV (UTF-8 or Big5) and .xlsx,
// written row by row (a generated file of any size never sits in memory whole).
import { createWriteStream } from 'node:fs'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { INSTITUTION_COLUMNS, PROFESSIONAL_COLUMNS } from '../../domain/registry/registry-rows.js'
import { LEGACY_COLUMNS, LEGACY_DECISION_COLUMNS } from '../../domain/report/legacy-row.js'
import { makePersonId } from '../../domain/national-id.js'

export type Cells = Record<string, string>

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)

export async function writeCsv(path: string, columns: readonly string[], rows: Iterable<Cells>, encoding: 'utf8' | 'big5' = 'utf8'): Promise<void> {
  const out = createWriteStream(path)
  const put = (line: string) => {
    const ok = out.write(encoding === 'utf8' ? line : iconv.encode(line, 'big5'))
    return ok ? undefined : new Promise<void>((r) => out.once('drain', () => r()))
  }
  await put(`${columns.join(',')}\r\n`)
  for (const r of rows) await put(`${columns.map((c) => csvCell(r[c] ?? '')).join(',')}\r\n`)
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
}

export async function writeXlsx(path: string, columns: readonly string[], rows: Iterable<Cells>): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false })
  const ws = wb.addWorksheet('data')
  ws.addRow([...columns]).commit()
  for (const r of rows) ws.addRow(columns.map((c) => r[c] ?? '')).commit()
  ws.commit()
  await wb.commit()
}

export const institutionCells = (code: string, o: Partial<Cells> = {}): Cells => ({
  機構代碼: code, 機構名稱: `測試機構${code}`, 縣市代碼: '63', 鄉鎮市區: '中正區', 機構類別: '診所', 機構狀態: '開業', 醫師數: '2', 藥師數: '0', 每週診次: '12', ...o,
})

export const professionalCells = (nationalId: string, home: string, o: Partial<Cells> = {}): Cells => ({
  身分證號: nationalId, 姓名: `醫師${nationalId.slice(-4)}`, 醫事人員類別: 'A', 職業科別: '02', 執照字號: '醫字', 執照號碼: nationalId.slice(-6),
  執照起日: '1090101', 執照迄日: '1201231', 執業狀態: '執業', 執業機構代碼: home, 電話: '0912000000', 健保卡號: `0000${nationalId.slice(-8)}`,
  出生日期: '0700101', 性別: '男', ...o,
})

/** n valid, distinct national IDs. */
export const personIds = (n: number, letter = 'A', offset = 0): string[] => Array.from({ length: n }, (_, i) => makePersonId(letter, '1', offset + i))

/** Synthetic institution codes, 10 characters. */
export const institutionCodes = (n: number, prefix = '35'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(8, '0')}`)

export { INSTITUTION_COLUMNS, PROFESSIONAL_COLUMNS, LEGACY_COLUMNS, LEGACY_DECISION_COLUMNS }

/**
 * n approved weekly legacy cases over the given people, none overlapping another: case k is person k mod P, on
 * weekday (k div P) mod 7 + 1, in hour slot (k div 7P).
 */
export function* legacyRows(people: readonly string[], n: number, home: string, supported: string, firstNumber = 1): Generator<Cells> {
  const P = people.length
  for (let k = 0; k < n; k++) {
    const slot = Math.floor(k / (7 * P))
    const h = 8 + (slot % 12)
    yield {
      案件編號: `1130110${String(firstNumber + k).padStart(7, '0')}`, 身分證號: people[k % P]!, 姓名: '', 醫事人員類別: 'A', 執業機構代碼: home,
      被支援機構代碼: supported, 支援科別: '02', 支援目的: '01', 支援方式: '每週', 開始日期: '1130301', 結束日期: '1130630',
      星期: String((Math.floor(k / P) % 7) + 1), 時段: `${String(h).padStart(2, '0')}00-${String(h + 1).padStart(2, '0')}00`, 指定時段: '',
      送審日期: '1130110', 申請類別: '登錄', 申請進度: '已核准', 核准日期: '1130120', 核准文號: `L${String(k).padStart(9, '0')}`, 註銷日期: '',
    }
  }
}
