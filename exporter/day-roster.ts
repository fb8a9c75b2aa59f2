// Day D's detail records, by replaying the event log (never a read model). DESIGN.md §6.
// Approvals are streamed in log order and handled in batches: one batched read fetches the cases' events up to
// just before their last approval of the batch (which comes with the approvals), each case is folded to each of its
// approvals, the batch's records are yielded as one array, and the batch is dropped. Memory is bounded by the batch
// size (plus the day's list of approvals, a compact text on PostgreSQL), not by the day's events.
import { DomainError } from '../domain/errors.js'
import type { CancellationApproved, ChangeApproved, ReportApproved } from '../domain/events.js'
import { isoToRoc, taipeiDayBounds, weekdayOf } from '../domain/roc-date.js'
import { clockToHHmm, clockToMinutes } from '../domain/clock-time.js'
import { compareOccurrences, weekdayMask } from '../domain/schedule.js'
import type { IsoDate, Terms, TimeWindow } from '../domain/types.js'
import type { RosterDetail } from './roster-format.js'
import { approvedTerms, evolveRosterCase, initialRosterCase, ROSTER_FOLD_TYPES, type RosterCaseState } from './roster-fold.js'
import type { LogEvent, RosterSource } from './roster-source.js'

export interface DayRosterOptions {
  /**
   * Approvals per batched read of case streams (default 500: at 1000 a batch's rows and objects outgrew V8's young
   * generation and were promoted, a 100k-decision day took 210 MB RSS and 15% more CPU instead of 140 MB).
   */
  batchSize?: number
  /** Batches fetched ahead of the one being folded (default 2): their case-stream reads run concurrently. */
  prefetch?: number
  /** Called after each batch with the running totals. */
  onProgress?: (progress: { approvals: number; records: number }) => void
}

type Approval = ReportApproved | ChangeApproved | CancellationApproved

/** The detail records of day D (ISO date, Asia/Taipei), in log order of the approvals, one by one. */
export async function* dayRosterDetails(source: RosterSource, day: IsoDate, opts: DayRosterOptions = {}): AsyncGenerator<RosterDetail> {
  for await (const batch of dayRosterBatches(source, day, opts)) yield* batch
}

/**
 * The detail records of day D, batch after batch (one array per batch of approvals: the writer takes them a batch
 * at a time, not a record at a time). The next batches (their pages of approvals and their case streams) are
 * fetched while the current one is folded and written.
 */
export async function* dayRosterBatches(source: RosterSource, day: IsoDate, opts: DayRosterOptions = {}): AsyncGenerator<RosterDetail[]> {
  const batchSize = opts.batchSize ?? 500
  const prefetch = Math.max(1, opts.prefetch ?? 2)
  const [from, to] = taipeiDayBounds(day)
  // Every approval read is in [from, to): its approval date (Taipei) is the day itself.
  const approvalDate = isoToRoc(day)
  const approvals = source.approvals(new Date(from), new Date(to))[Symbol.asyncIterator]()
  // The approvals are taken batch after batch (one iterator, in log order); each batch's case streams are read as
  // soon as its approvals are in, so the stream reads of the next `prefetch` batches overlap with each other, with
  // the following approvals page and with the fold of the current batch. Batches are consumed in order.
  let approvalsTaken: Promise<unknown> = Promise.resolve()
  const takeApprovals = async (): Promise<LogEvent[]> => {
    const batch: LogEvent[] = []
    while (batch.length < batchSize) {
      const r = await approvals.next()
      if (r.done) break
      batch.push(r.value)
    }
    return batch
  }
  const fetchBatch = (): Promise<{ batch: LogEvent[]; streams: Map<string, LogEvent[]> } | undefined> => {
    const taken = approvalsTaken.then(takeApprovals)
    approvalsTaken = taken.catch(() => {})
    const fetched = taken.then(async (batch) => {
      if (!batch.length) return undefined
      // each case's events up to just before its last approval of the batch (that approval came with its data)
      const upTo = new Map<string, number>()
      for (const a of batch) upTo.set(a.stream, Math.max(upTo.get(a.stream) ?? 0, a.streamVersion - 1))
      return { batch, streams: await source.readStreams(upTo, ROSTER_FOLD_TYPES) }
    })
    fetched.catch(() => {}) // awaited in its turn; kept from being reported as unhandled meanwhile
    return fetched
  }
  let done = { approvals: 0, records: 0 }
  const pending = Array.from({ length: prefetch }, fetchBatch)
  try {
    for (;;) {
      const current = await pending.shift()!
      if (!current) return
      pending.push(fetchBatch())
      const details = detailsOfBatch(current.batch, current.streams, approvalDate)
      if (details.length) yield details
      done = { approvals: done.approvals + current.batch.length, records: done.records + details.length }
      opts.onProgress?.(done)
    }
  } finally {
    await Promise.all(pending.map((p) => p.catch(() => {})))
    await approvals.return?.()
  }
}

function detailsOfBatch(batch: readonly LogEvent[], streams: Map<string, LogEvent[]>, approvalDate: string): RosterDetail[] {
  // Each case is folded forward as its approvals come, in log order (= stream order within one case).
  const folds = new Map<string, { state: RosterCaseState; next: number }>()
  const out: RosterDetail[] = []
  for (const approval of batch) {
    const events = streams.get(approval.stream) ?? []
    let fold = folds.get(approval.stream)
    if (!fold) folds.set(approval.stream, (fold = { state: initialRosterCase(), next: 0 }))
    while (fold.next < events.length && events[fold.next]!.streamVersion < approval.streamVersion) {
      fold.state = evolveRosterCase(fold.state, events[fold.next++]!)
    }
    // the approval as its case's read has it when read (an earlier approval of the batch), else as listed
    const read = events[fold.next]?.streamVersion === approval.streamVersion ? events[fold.next++]! : approval
    for (const r of recordsOfApproval(fold.state, read, approvalDate)) out.push(r)
    fold.state = evolveRosterCase(fold.state, read)
  }
  return out
}

/** The records one approval puts in the file, given the case state just before it; `approvalDate` ROC yyyMMdd. */
export function recordsOfApproval(state: RosterCaseState, approval: LogEvent, approvalDate: string): RosterDetail[] {
  const what = approvedTerms(state, approval.type)
  if ('missing' in what) {
    throw new DomainError(
      'ROSTER_CASE_INCOMPLETE',
      { stream: approval.stream, streamVersion: approval.streamVersion, missing: what.missing },
      [approval.stream, approval.streamVersion, what.missing],
    )
  }
  const data = approval.data as Approval['data'] | undefined
  if (data?.approvalNumber === undefined) {
    throw new DomainError(
      'ROSTER_CASE_INCOMPLETE',
      { stream: approval.stream, streamVersion: approval.streamVersion, missing: 'approval number' },
      [approval.stream, approval.streamVersion, 'approval number'],
    )
  }
  const applicant = state.applicant!
  const { action, terms } = what
  const caseNumber = state.caseNumber!
  const approvalNumber = data.approvalNumber
  // one object literal per record (one shape), not a spread of the case's fields over each line; a plain loop (tsx
  // names every closure it creates, at a cost per creation)
  const lines = termLines(terms, what.cancelFrom)
  const out: RosterDetail[] = []
  for (const line of lines) {
    out.push({
      action,
      caseNumber,
      nationalId: applicant.nationalId,
      profession: applicant.profession,
      homeInstitution: applicant.home.code,
      supportedInstitution: terms.supported.code,
      department: terms.department,
      startDate: line.startDate,
      endDate: line.endDate,
      weekdayMask: line.weekdayMask,
      startTime: line.startTime,
      endTime: line.endTime,
      approvalDate,
      approvalNumber,
    })
  }
  return out
}

// Schedule dates repeat across cases: their ROC form is memoised (bounded).
const rocMemo = new Map<IsoDate, string>()
function roc(iso: IsoDate): string {
  let r = rocMemo.get(iso)
  if (r === undefined) {
    if (rocMemo.size > 5000) rocMemo.clear()
    rocMemo.set(iso, (r = isoToRoc(iso)))
  }
  return r
}

const byStart = (a: TimeWindow, b: TimeWindow) => clockToMinutes(a.start) - clockToMinutes(b.start)

type TermLine = Pick<RosterDetail, 'startDate' | 'endDate' | 'weekdayMask' | 'startTime' | 'endTime'>

/**
 * One line per daily time window (weekly schedules), or per dated session (start = end = its date, its weekday's
 * bit only). A cancellation carries the terms from `cancelFrom`: the weekly range starts there, and only sessions
 * on or after it are listed.
 */
export function termLines(terms: Terms, cancelFrom?: IsoDate): TermLine[] {
  const s = terms.schedule
  if (s.kind === 'weekly') {
    const windows = s.windows.length > 1 ? [...s.windows].sort(byStart) : s.windows
    const startDate = roc(cancelFrom ?? s.from)
    const endDate = roc(s.to)
    const mask = weekdayMask(s.weekdays)
    const out: TermLine[] = []
    for (const w of windows) out.push({ startDate, endDate, weekdayMask: mask, startTime: clockToHHmm(w.start), endTime: clockToHHmm(w.end) })
    return out
  }
  return [...s.sessions]
    .sort(compareOccurrences)
    .filter((x) => cancelFrom === undefined || x.date >= cancelFrom)
    .map((x) => ({
      startDate: roc(x.date),
      endDate: roc(x.date),
      weekdayMask: weekdayMask([weekdayOf(x.date)]),
      startTime: clockToHHmm(x.start),
      endTime: clockToHHmm(x.end),
    }))
}
