// Parser and verifier of NHI roster files (DESIGN.md §6). Streams the file: memory stays flat whatever its size.
// Checks widths and CRLFs, ASCII, record order (H, D*, T), codes, ROC dates, counts and the SHA-256 of the details.
import { isHHmm } from '../domain/clock-time.js'
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { FORMAT_VERSION, RECORD_WIDTH, type RosterCounts } from './roster-format.js'
import { isValidPersonId } from '../domain/national-id.js'
import { daysBetween, isRocDate, rocToIso, weekdayOf } from '../domain/roc-date.js'

export interface RosterVerification {
  ok: boolean
  /** Reasons, each naming the record (1-based line number) and the columns; capped at MAX_ERRORS. */
  errors: string[]
  errorCount: number
  header?: { day: string; sequence: number; senderCode: string; createdAt: string }
  /** Counts of the detail records actually present. */
  counts: RosterCounts
  /** SHA-256 of the detail records as present (with their CRLFs). */
  sha256: string
  trailer?: { counts: RosterCounts; sha256: string }
  records: number
  bytes: number
}

const MAX_ERRORS = 50
const DETAIL = 0x44 // 'D'

export class RosterVerifier {
  private readonly errors: string[] = []
  private errorCount = 0
  private pending: Buffer = Buffer.alloc(0)
  private line = 0
  private bytes = 0
  private header: RosterVerification['header']
  private trailer: RosterVerification['trailer']
  private seenTrailer = false
  private readonly counts: RosterCounts = { add: 0, change: 0, cancel: 0, total: 0 }
  private readonly hash: Hash = createHash('sha256')

  constructor(private readonly fileName?: string) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    // The detail records go into the hash a run of consecutive ones at a time (one update per chunk, not per record).
    let start = 0
    let details = -1
    let nl: number
    while ((nl = buf.indexOf(0x0a, start)) >= 0) {
      if (buf[start] === DETAIL) {
        if (details < 0) details = start
      } else if (details >= 0) {
        this.hash.update(buf.subarray(details, start))
        details = -1
      }
      this.record(buf.subarray(start, nl + 1))
      start = nl + 1
    }
    if (details >= 0) this.hash.update(buf.subarray(details, start))
    this.pending = Buffer.from(buf.subarray(start))
  }

  finish(): RosterVerification {
    if (this.pending.length) {
      this.line++
      this.error(`record ${this.line}: the file does not end with CRLF (${this.pending.length} trailing bytes)`)
    }
    if (this.line === 0) this.error('the file is empty')
    else if (!this.seenTrailer) this.error('no trailer record (T) at the end')
    const sha256 = this.hash.digest('hex')
    if (this.trailer) {
      const t = this.trailer.counts
      const c = this.counts
      if (t.add !== c.add) this.error(`trailer: count of A records is ${t.add}, the file has ${c.add}`)
      if (t.change !== c.change) this.error(`trailer: count of C records is ${t.change}, the file has ${c.change}`)
      if (t.cancel !== c.cancel) this.error(`trailer: count of D records is ${t.cancel}, the file has ${c.cancel}`)
      if (t.total !== c.total) this.error(`trailer: total is ${t.total}, the file has ${c.total} detail records`)
      if (t.total !== t.add + t.change + t.cancel) this.error('trailer: total is not the sum of the A, C and D counts')
      if (this.trailer.sha256 !== sha256) this.error(`trailer: SHA-256 ${this.trailer.sha256} does not match the detail records (${sha256})`)
    }
    const out: RosterVerification = {
      ok: this.errorCount === 0,
      errors: this.errors,
      errorCount: this.errorCount,
      counts: this.counts,
      sha256,
      records: this.line,
      bytes: this.bytes,
    }
    if (this.header) out.header = this.header
    if (this.trailer) out.trailer = this.trailer
    return out
  }

  private error(message: string) {
    this.errorCount++
    if (this.errors.length < MAX_ERRORS) this.errors.push(message)
  }

  private record(raw: Buffer) {
    const n = ++this.line
    const where = `record ${n}`
    const kind = String.fromCharCode(raw[0] ?? 0)
    if (raw.length < 2 || raw[raw.length - 2] !== 0x0d) this.error(`${where}: does not end with CRLF`)
    const body = raw.subarray(0, raw.length - (raw[raw.length - 2] === 0x0d ? 2 : 1))
    if (body.length !== RECORD_WIDTH) this.error(`${where}: width ${body.length}, expected ${RECORD_WIDTH}`)
    let nonAscii = -1
    for (let i = 0; i < body.length; i++) {
      const b = body[i]!
      if (b < 0x20 || b > 0x7e) {
        nonAscii = i
        break
      }
    }
    if (nonAscii >= 0) this.error(`${where}: non-ASCII or control byte 0x${body[nonAscii]!.toString(16)} at column ${nonAscii + 1}`)
    const text = body.toString('latin1')
    if (this.seenTrailer) {
      this.error(`${where}: record after the trailer`)
      return
    }
    if (n === 1 && kind !== 'H') this.error(`${where}: the first record must be the header (H), found "${kind}"`)
    if (kind === 'H') {
      if (n !== 1) this.error(`${where}: header (H) not in first position`)
      else this.checkHeader(text, where)
    } else if (kind === 'D') this.checkDetail(text, where)
    else if (kind === 'T') {
      this.seenTrailer = true
      this.checkTrailer(text, where)
    } else this.error(`${where}: unknown record type "${kind}"`)
  }

  private checkHeader(r: string, where: string) {
    const version = r.slice(1, 3)
    const day = r.slice(3, 10)
    const seq = r.slice(10, 12)
    const sender = r.slice(12, 22)
    const createdAt = r.slice(22, 35)
    if (version !== FORMAT_VERSION) this.error(`${where} cols 2-3: format version "${version}", expected ${FORMAT_VERSION}`)
    if (!rocIso(day)) this.error(`${where} cols 4-10: file date "${day}" is not a valid ROC date`)
    if (!/^\d\d$/.test(seq) || seq === '00') this.error(`${where} cols 11-12: sequence "${seq}" must be 01..99`)
    if (!/^\S/.test(sender)) this.error(`${where} cols 13-22: sender code is blank or not left-aligned`)
    if (!validRocDateTime(createdAt)) this.error(`${where} cols 23-35: created-at "${createdAt}" is not a valid ROC date-time`)
    else if (createdAt.slice(0, 7) <= day) this.error(`${where} cols 23-35: created-at ${createdAt} is not after the day ${day}`)
    if (!isBlank(r.slice(35, 100))) this.error(`${where} cols 36-100: must be spaces`)
    this.header = { day, sequence: Number(seq), senderCode: sender.trimEnd(), createdAt }
    if (this.fileName !== undefined) {
      const expected = `SUPPORT_${day}_${seq}.txt`
      if (this.fileName !== expected) this.error(`file name ${this.fileName} does not match its header (${expected})`)
    }
  }

  private checkDetail(r: string, where: string) {
    const action = r[1]
    if (action === 'A') this.counts.add++
    else if (action === 'C') this.counts.change++
    else if (action === 'D') this.counts.cancel++
    else this.error(`${where} col 2: action "${action}", expected A, C or D`)
    this.counts.total++
    const caseNumber = r.slice(2, 16)
    if (!/^\d{14}$/.test(caseNumber) || !rocIso(caseNumber.slice(0, 7))) this.error(`${where} cols 3-16: case number "${caseNumber}" is not a ROC date and a 7-digit serial`)
    const id = r.slice(16, 26)
    if (!validPersonId(id)) this.error(`${where} cols 17-26: "${id}" is not a valid national or resident ID`)
    const prof = r.slice(26, 28)
    if (!/^[A-Z0-9][A-Z0-9 ]$/.test(prof)) this.error(`${where} cols 27-28: profession code "${prof}" is invalid`)
    const home = r.slice(28, 38)
    const supported = r.slice(38, 48)
    if (!/^[A-Za-z0-9]{10}$/.test(home)) this.error(`${where} cols 29-38: home institution code "${home}" is invalid`)
    if (!/^[A-Za-z0-9]{10}$/.test(supported)) this.error(`${where} cols 39-48: supported institution code "${supported}" is invalid`)
    const dept = r.slice(48, 50)
    if (!/^[0-9A-Z]{2}$/.test(dept)) this.error(`${where} cols 49-50: department code "${dept}" is invalid`)
    const start = r.slice(50, 57)
    const end = r.slice(57, 64)
    const startIso = rocIso(start)
    const endIso = rocIso(end)
    if (!startIso) this.error(`${where} cols 51-57: start date "${start}" is not a valid ROC date`)
    if (!endIso) this.error(`${where} cols 58-64: end date "${end}" is not a valid ROC date`)
    if (startIso && endIso && startIso > endIso) this.error(`${where}: start date ${start} is after end date ${end}`)
    const mask = r.slice(64, 71)
    if (!/^[01]{7}$/.test(mask) || mask === '0000000') this.error(`${where} cols 65-71: weekday mask "${mask}" must be 7 of 0/1 with at least one 1`)
    else if (startIso && endIso && startIso <= endIso && !maskHitsRange(mask, startIso, endIso)) this.error(`${where} cols 65-71: weekday mask ${mask} has no day between ${start} and ${end}`)
    const t1 = r.slice(71, 75)
    const t2 = r.slice(75, 79)
    if (!validHHmm(t1) || t1 === '2400') this.error(`${where} cols 72-75: start time "${t1}" is invalid`)
    if (!validHHmm(t2)) this.error(`${where} cols 76-79: end time "${t2}" is invalid`)
    if (validHHmm(t1) && validHHmm(t2) && t1 >= t2) this.error(`${where}: start time ${t1} is not before end time ${t2}`)
    const approval = r.slice(79, 86)
    if (!rocIso(approval)) this.error(`${where} cols 80-86: approval date "${approval}" is not a valid ROC date`)
    else if (this.header && approval !== this.header.day) this.error(`${where} cols 80-86: approval date ${approval} is not the file date ${this.header.day}`)
    const number = r.slice(86, 100)
    if (!/^\S/.test(number)) this.error(`${where} cols 87-100: approval number is blank or not left-aligned`)
  }

  private checkTrailer(r: string, where: string) {
    const nums = [r.slice(1, 8), r.slice(8, 15), r.slice(15, 22), r.slice(22, 29)]
    const names = ['2-8', '9-15', '16-22', '23-29']
    nums.forEach((v, i) => {
      if (!/^\d{7}$/.test(v)) this.error(`${where} cols ${names[i]}: "${v}" is not a zero-padded number`)
    })
    const sha = r.slice(29, 93)
    if (!/^[0-9a-f]{64}$/.test(sha)) this.error(`${where} cols 30-93: SHA-256 "${sha}" is not 64 lowercase hex digits`)
    if (!isBlank(r.slice(93, 100))) this.error(`${where} cols 94-100: must be spaces`)
    const [a, c, d, t] = nums.map(Number) as [number, number, number, number]
    this.trailer = { counts: { add: a, change: c, cancel: d, total: t }, sha256: sha }
  }
}

const isBlank = (s: string) => /^ *$/.test(s)
// Dates repeat a lot in one file: their check is memoised (bounded).
const rocMemo = new Map<string, string | undefined>()
const rocIso = (s: string): string | undefined => {
  if (rocMemo.has(s)) return rocMemo.get(s)
  if (rocMemo.size > 5000) rocMemo.clear()
  const iso = isRocDate(s) ? rocToIso(s) : undefined
  rocMemo.set(s, iso)
  return iso
}

const validHHmm = (s: string): boolean => isHHmm(s)

function validRocDateTime(s: string): boolean {
  return /^\d{13}$/.test(s) && !!rocIso(s.slice(0, 7)) && Number(s.slice(7, 9)) < 24 && Number(s.slice(9, 11)) < 60 && Number(s.slice(11, 13)) < 60
}

function maskHitsRange(mask: string, startIso: string, endIso: string): boolean {
  const first = weekdayOf(startIso)
  const days = daysBetween(startIso, endIso) + 1
  for (let i = 0; i < Math.min(days, 7); i++) if (mask[(first - 1 + i) % 7] === '1') return true
  return false
}

/** National or resident ID exactly as the file must carry it (upper case, checksum valid). */
const validPersonId = (id: string) => /^[A-Z][12ABCD89]\d{8}$/.test(id) && isValidPersonId(id)

export function verifyRosterBytes(bytes: Buffer, fileName?: string): RosterVerification {
  const v = new RosterVerifier(fileName)
  v.push(bytes)
  return v.finish()
}

export async function verifyRosterFile(path: string): Promise<RosterVerification> {
  const v = new RosterVerifier(basename(path))
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) v.push(chunk as Buffer)
  return v.finish()
}

/** The operator's summary, one line per fact, then the reasons when invalid. */
export function formatVerification(path: string, v: RosterVerification): string {
  const lines = [`${basename(path)}: ${v.ok ? 'VALID' : 'INVALID'}`]
  if (v.header) lines.push(`  day ${v.header.day}, sequence ${String(v.header.sequence).padStart(2, '0')}, sender ${v.header.senderCode}, created ${v.header.createdAt}`)
  lines.push(`  records ${v.records} (${v.bytes} bytes); details A=${v.counts.add} C=${v.counts.change} D=${v.counts.cancel} total=${v.counts.total}`)
  lines.push(`  sha256 of details ${v.sha256}`)
  if (!v.ok) {
    lines.push(`  ${v.errorCount} problem(s):`)
    for (const e of v.errors) lines.push(`  - ${e}`)
    if (v.errorCount > v.errors.length) lines.push(`  - ... and ${v.errorCount - v.errors.length} more`)
  }
  return lines.join('\n')
}
