// Reading one cell of an imported file (registry feed, legacy export): typed values or a zh-TW message. Pure.
import { validatePersonId } from '../national-id.js'
import { isRocDate, rocToIso } from '../roc-date.js'
import type { IsoDate } from '../types.js'

export interface CellError {
  /** Row number as the user sees it in the file (header = 1). */
  row: number
  column: string
  value: string
  message: string
}

/** Collects the errors of one row while its cells are read. */
export class RowReader {
  readonly errors: CellError[] = []
  constructor(readonly row: number, private readonly cells: Readonly<Record<string, string | undefined>>) {}

  raw(column: string): string {
    return (this.cells[column] ?? '').trim()
  }

  error(column: string, message: string): void {
    this.errors.push({ row: this.row, column, value: this.raw(column).slice(0, 100), message })
  }

  text(column: string, opts: { required?: boolean; max?: number } = {}): string | null {
    const v = this.raw(column)
    if (v === '') {
      if (opts.required) this.error(column, '必填')
      return null
    }
    if (v.length > (opts.max ?? 200)) this.error(column, `超過 ${opts.max ?? 200} 個字`)
    return v
  }

  /** A ROC date yyyMMdd (a Gregorian date such as 20240301 or 2024-03-01 is refused as the wrong calendar). */
  date(column: string, opts: { required?: boolean } = {}): IsoDate | null {
    const v = this.raw(column)
    if (v === '') {
      if (opts.required) this.error(column, '必填')
      return null
    }
    if (/^(19|20)\d{2}[-/]?\d{2}[-/]?\d{2}$/.test(v)) {
      this.error(column, '日期須為民國年 yyyMMdd（例如 1130301），不是西元年')
      return null
    }
    const padded = /^\d{6}$/.test(v) ? `0${v}` : v
    if (!isRocDate(padded)) {
      this.error(column, '日期格式不正確（應為民國年 yyyMMdd）')
      return null
    }
    return rocToIso(padded)
  }

  personId(column: string): string | null {
    const v = this.raw(column)
    if (v === '') {
      this.error(column, '必填')
      return null
    }
    const r = validatePersonId(v)
    if (!r.ok) {
      this.error(column, r.reason === 'checksum' ? '身分證號檢查碼錯誤' : '身分證號格式不正確')
      return null
    }
    return r.id
  }

  oneOf<T extends string>(column: string, allowed: Readonly<Record<string, T>>, opts: { required?: boolean } = {}): T | null {
    const v = this.raw(column)
    if (v === '') {
      if (opts.required) this.error(column, '必填')
      return null
    }
    const t = allowed[v]
    if (t === undefined) this.error(column, `代碼不存在（可用：${Object.keys(allowed).slice(0, 12).join('、')}）`)
    return t ?? null
  }

  code(column: string, ok: (s: string) => boolean, label: string, opts: { required?: boolean; upper?: boolean } = {}): string | null {
    const v = opts.upper === false ? this.raw(column) : this.raw(column).toUpperCase()
    if (v === '') {
      if (opts.required) this.error(column, '必填')
      return null
    }
    if (!ok(v)) {
      this.error(column, `${label}不存在或格式不正確`)
      return null
    }
    return v
  }

  count(column: string): number | null {
    const v = this.raw(column)
    if (v === '') return null
    if (!/^\d{1,7}$/.test(v)) {
      this.error(column, '須為 0 以上的整數')
      return null
    }
    return Number(v)
  }
}

/** Header check: the required columns that are missing. */
export const missingColumns = (header: readonly string[], required: readonly string[]): string[] =>
  required.filter((c) => !header.includes(c))
