// The NHI roster file, format version 01 (DESIGN.md §6): pure encoder of header, detail and trailer records.
// Fixed width 100, printable ASCII only, each record ending CRLF. A field that does not fit is refused, never cut.
import { isHHmm } from '../domain/clock-time.js'
import { createHash, type Hash } from 'node:crypto'
import { DomainError } from '../domain/errors.js'

export const FORMAT_VERSION = '01'
export const RECORD_WIDTH = 100
export const CRLF = '\r\n'
export const RECORD_BYTES = RECORD_WIDTH + CRLF.length

export type RosterAction = 'A' | 'C' | 'D'

export interface RosterHeader {
  day: string // ROC yyyMMdd (the day D)
  sequence: number // nn, 1..99
  senderCode: string // up to 10
  createdAt: string // ROC yyyMMddHHmmss, Asia/Taipei
}

/** One detail record. Dates are ROC yyyMMdd, times HHmm. */
export interface RosterDetail {
  action: RosterAction
  caseNumber: string // 14
  nationalId: string // 10
  profession: string // up to 2
  homeInstitution: string // 10
  supportedInstitution: string // 10
  department: string // 2
  startDate: string
  endDate: string
  weekdayMask: string // 7 x '0'/'1', Monday first
  startTime: string
  endTime: string
  approvalDate: string
  approvalNumber: string // up to 14
}

export interface RosterCounts {
  add: number
  change: number
  cancel: number
  total: number
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

function bad(field: string, value: unknown, reason: string): never {
  throw new DomainError('ROSTER_FIELD_INVALID', { field, value, reason }, [field, reason])
}

/** Left-aligned, space-padded text; refuses non-ASCII and values longer than the field. */
export function textField(field: string, value: string, len: number, opts: { exact?: boolean } = {}): string {
  if (!PRINTABLE_ASCII.test(value)) bad(field, value, 'non-ASCII or control character')
  if (value.length > len) bad(field, value, `longer than ${len}`)
  if (opts.exact && value.length !== len) bad(field, value, `must be exactly ${len} characters`)
  return value.padEnd(len, ' ')
}

/** Right-aligned, zero-padded non-negative integer. */
export function numberField(field: string, value: number, len: number): string {
  if (!Number.isSafeInteger(value) || value < 0 || String(value).length > len) bad(field, value, `not an integer of at most ${len} digits`)
  return String(value).padStart(len, '0')
}

function patternField(field: string, value: string, pattern: RegExp, len: number): string {
  if (value.length !== len || !pattern.test(value)) bad(field, value, `expected ${pattern.source}`)
  return value
}

function timeField(field: string, value: string): string {
  if (!isHHmm(value)) bad(field, value, 'expected HHmm (0000-2400)')
  return value
}

const ROC_DATE = /^\d{7}$/
const ROC_DATETIME = /^\d{13}$/
const MASK = /^[01]{7}$/

export function encodeHeader(h: RosterHeader): string {
  const rec =
    'H' +
    FORMAT_VERSION +
    patternField('day', h.day, ROC_DATE, 7) +
    numberField('sequence', h.sequence, 2) +
    textField('senderCode', h.senderCode, 10) +
    patternField('createdAt', h.createdAt, ROC_DATETIME, 13) +
    ' '.repeat(65)
  return rec + CRLF
}

export function encodeDetail(d: RosterDetail): string {
  if (d.action !== 'A' && d.action !== 'C' && d.action !== 'D') bad('action', d.action, 'expected A, C or D')
  const rec =
    'D' +
    d.action +
    textField('caseNumber', d.caseNumber, 14, { exact: true }) +
    textField('nationalId', d.nationalId, 10, { exact: true }) +
    textField('profession', d.profession, 2) +
    textField('homeInstitution', d.homeInstitution, 10, { exact: true }) +
    textField('supportedInstitution', d.supportedInstitution, 10, { exact: true }) +
    textField('department', d.department, 2, { exact: true }) +
    patternField('startDate', d.startDate, ROC_DATE, 7) +
    patternField('endDate', d.endDate, ROC_DATE, 7) +
    patternField('weekdayMask', d.weekdayMask, MASK, 7) +
    timeField('startTime', d.startTime) +
    timeField('endTime', d.endTime) +
    patternField('approvalDate', d.approvalDate, ROC_DATE, 7) +
    textField('approvalNumber', d.approvalNumber, 14)
  return rec + CRLF
}

// A detail record whose fields all have their lengths (checked apart): only the characters are left to check.
// Columns: D, action, 48 text columns (case number .. department), two dates, the mask, two times (isHHmm apart),
// the approval date, 14 text columns (approval number).
const DETAIL_CHARS = /^D[ACD][\x20-\x7e]{48}\d{14}[01]{7}\d{8}\d{7}[\x20-\x7e]{14}$/

/**
 * encodeDetail's record, checked at once: the lengths field by field and the characters with one expression over
 * the record. Whatever this does not accept goes to encodeDetail, which refuses it naming the field (or, were the
 * quick check ever stricter, encodes it the same way): the same bytes, the same refusals.
 */
export function encodeDetailChecked(d: RosterDetail): string {
  if (
    // (`?.`: a field missing from a malformed event is left to encodeDetail, as any other)
    d.caseNumber?.length === 14 && d.nationalId?.length === 10 && d.profession?.length <= 2 && d.homeInstitution?.length === 10 &&
    d.supportedInstitution?.length === 10 && d.department?.length === 2 && d.startDate?.length === 7 && d.endDate?.length === 7 &&
    d.weekdayMask?.length === 7 && d.approvalDate?.length === 7 && d.approvalNumber?.length <= 14 && isHHmm(d.startTime) && isHHmm(d.endTime)
  ) {
    const rec =
      'D' + d.action + d.caseNumber + d.nationalId + d.profession.padEnd(2, ' ') + d.homeInstitution + d.supportedInstitution +
      d.department + d.startDate + d.endDate + d.weekdayMask + d.startTime + d.endTime + d.approvalDate + d.approvalNumber.padEnd(14, ' ')
    if (DETAIL_CHARS.test(rec)) return rec + CRLF
  }
  return encodeDetail(d)
}

export function encodeTrailer(counts: RosterCounts, sha256: string): string {
  if (counts.total !== counts.add + counts.change + counts.cancel) bad('total', counts.total, 'total is not the sum of the counts')
  const rec =
    'T' +
    numberField('add', counts.add, 7) +
    numberField('change', counts.change, 7) +
    numberField('cancel', counts.cancel, 7) +
    numberField('total', counts.total, 7) +
    patternField('sha256', sha256, /^[0-9a-f]{64}$/, 64) +
    ' '.repeat(7)
  return rec + CRLF
}

export const rosterFileName = (rocDay: string, sequence: number) => `SUPPORT_${rocDay}_${String(sequence).padStart(2, '0')}.txt`

/** Accumulates detail records: counts and the running SHA-256 of their bytes (with CRLFs), for the trailer. */
export class DetailDigest {
  readonly counts: RosterCounts = { add: 0, change: 0, cancel: 0, total: 0 }
  private readonly hash: Hash = createHash('sha256')

  /** Encodes one detail record and folds it into the counts and the hash. */
  add(detail: RosterDetail): string {
    return this.addAll([detail])
  }

  /** Encodes detail records (their lines joined) and folds them into the counts and the hash (one update). */
  addAll(details: readonly RosterDetail[]): string {
    let lines = ''
    const c = this.counts
    for (const d of details) {
      lines += encodeDetailChecked(d)
      if (d.action === 'A') c.add++
      else if (d.action === 'C') c.change++
      else c.cancel++
    }
    c.total += details.length
    this.hash.update(lines, 'latin1')
    return lines
  }

  /** The trailer record (the digest can no longer be added to afterwards). */
  trailer(): { line: string; sha256: string } {
    const sha256 = this.hash.digest('hex')
    return { line: encodeTrailer(this.counts, sha256), sha256 }
  }
}
