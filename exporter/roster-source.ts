// Where the roster reads the event log from. Two reads only:
//   - the roster-relevant approvals whose business time (meta.occurredAt) falls in [from, to), in log order, with
//     their approval numbers (PostgreSQL: one statement for the day, a compact JSON text per page);
//   - the events of a batch of case streams, each up to a given stream version, in one round trip (only the fields
//     the fold reads).
// Any EventStore works through the port (portRosterSource). On the PostgreSQL adapter, postgresRosterSource reads
// the same `events` table (commands/event-store/postgres-migrations.ts) with one statement for the day's approvals
// and one per batch of streams, behind the adapter's own gap-safety horizon (GAP_SAFE_CONDITION). A `readStreams` method on the port would
// let every adapter offer the batched read; until then this is the exporter's own optional fast path.
//
// Gap safety of a day (DESIGN.md §6: a day's file must never miss an approval of that day). A transaction that has
// inserted an approval of day D but not committed yet is invisible to every other session: reading D then would
// write a file without it, and the day is never generated again. So before reading, the generator takes a mark of
// the log (a transaction id handed out now: every writer so far has a lower one) and waits until every transaction below it has finished
// (logMark / finishedBefore, generate-roster.ts waitUntilSettled): an approval of D inserted by then is committed
// (or rolled back) and below the horizon. The generator only starts DAY_SETTLE_MS after the end of D, and a command
// inserts its events right after choosing meta.occurredAt (command-handler.ts), so every approval of D was inserted
// before the mark. The approvals are then read under GAP_SAFE_CONDITION, so the same day always reads the same rows.
import type { Database } from '../commands/platform/database.js'
import type { EventStore, RecordedEvent } from '../commands/event-store/port.js'
import { START } from '../commands/event-store/port.js'
import { GAP_SAFE_CONDITION } from '../commands/event-store/postgres-event-store.js'
import { ROSTER_EVENT_TYPES } from '../domain/events.js'
import { DEMO_CORRELATION_PREFIX, isDemoCorrelation } from '../commands/seed/demo-marker.js'

/** A log event as the roster needs it. */
export interface LogEvent {
  stream: string
  streamVersion: number
  type: string
  /** The event's data; sources may leave out fields the roster does not read (see FOLD_COLUMNS). */
  data: unknown
}

export interface RosterSource {
  /**
   * Roster-relevant approvals (ROSTER_EVENT_TYPES) with from <= occurredAt < to, in log order, streamed, with their
   * data (at least the approval number). The caller reads each case's stream only up to just before its last approval
   * in a batch (readStreams): that approval's data is this one.
   */
  approvals(from: Date, to: Date): AsyncIterable<LogEvent>
  /**
   * Events of each stream in `upTo` with streamVersion <= its value, in stream order. Only events of `types` when
   * given (the approvals themselves are always wanted by the caller and must be in `types`).
   */
  readStreams(upTo: ReadonlyMap<string, number>, types?: readonly string[]): Promise<Map<string, LogEvent[]>>
  /**
   * Gap safety (see the top of this file): a mark above every transaction that has written to the log so far.
   * (PostgreSQL: one past a transaction id taken now.)
   * Absent when the store has no transactions in flight to wait for (EventStoreDB, the in-memory store).
   */
  logMark?(): Promise<bigint>
  /** True once every transaction below `mark` has finished (committed or rolled back) and is below the horizon. */
  finishedBefore?(mark: bigint): Promise<boolean>
}


/**
 * Gap safety (top of this file): waits until every transaction that had written to the log when the wait began has
 * finished. True once settled (at once for a source without transactions in flight), false after `timeoutMs`;
 * `onFirstWait` is called once if it had to wait.
 */
export async function logSettled(source: RosterSource, timeoutMs: number, onFirstWait?: (mark: bigint) => void): Promise<boolean> {
  const { logMark, finishedBefore } = source
  if (!logMark || !finishedBefore) return true
  const mark = await logMark.call(source)
  const deadline = Date.now() + timeoutMs
  let waited = false
  while (!(await finishedBefore.call(source, mark))) {
    if (Date.now() >= deadline) return false
    if (!waited) onFirstWait?.(mark)
    waited = true
    await new Promise((r) => setTimeout(r, 100))
  }
  return true
}

const toLogEventFromRecorded = (e: RecordedEvent): LogEvent => ({ stream: e.stream, streamVersion: e.streamVersion, type: e.type, data: e.data })

/** Through the EventStore port only: scans the approvals of the whole log, reads case streams concurrently. */
export function portRosterSource(store: EventStore, opts: { concurrency?: number; pageSize?: number } = {}): RosterSource {
  const concurrency = opts.concurrency ?? 16
  return {
    async *approvals(from, to) {
      const lo = from.getTime()
      const hi = to.getTime()
      for await (const e of store.streamAll({ after: START, types: ROSTER_EVENT_TYPES, pageSize: opts.pageSize ?? 2000 })) {
        const t = Date.parse(e.meta.occurredAt)
        if (t >= lo && t < hi && !isDemoCorrelation(e.meta.correlationId)) yield toLogEventFromRecorded(e)
      }
    },
    async readStreams(upTo, types) {
      const wanted = types ? new Set(types) : undefined
      const out = new Map<string, LogEvent[]>()
      const entries = [...upTo]
      let next = 0
      const worker = async () => {
        while (next < entries.length) {
          const [stream, version] = entries[next++]!
          const events: RecordedEvent[] = await store.readStream(stream)
          out.set(stream, events.filter((e) => e.streamVersion <= version && (!wanted || wanted.has(e.type))).map(toLogEventFromRecorded))
        }
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker))
      return out
    },
  }
}

// Only rows of transactions that can no longer be overtaken: the event store's own horizon.
const VISIBLE = GAP_SAFE_CONDITION

/** A case event as FOLD_COLUMNS cut it out: only the fields its type carries for the fold, the others null. */
interface FoldRow {
  stream_id: string
  stream_version: number
  type: string
  case_number: string | null
  national_id: string | null
  profession: string | null
  home_code: string | null
  supported_code: string | null
  department: string | null
  schedule: string | null
  effective_date: string | null
  application_type: string | null
  status: string | null
  approval_number: string | null
}

const sqlList = (types: readonly string[]) => types.map((t) => `'${t}'`).join(', ')
const WITH_APPLICANT = sqlList(['ReportDrafted', 'ReportImported'])
const WITH_TERMS = sqlList(['ReportDrafted', 'ReportImported', 'DraftEdited', 'ReportResubmitted', 'ChangeRequested'])

/**
 * Only the parts of `data` the roster fold reads (roster-fold.ts: the applicant's id, profession and home code, the
 * case number, of the terms the supported code, the department and the schedule, the cancellation dates, the
 * application type and status of an import, the approval number), each cut out only for the types that carry it,
 * as plain text columns (path operators: no copy of the sub-documents). Parsing whole events, or the whole terms
 * with their names, dominated the time of a large day; the data objects are put together here, per type, in the
 * shape of the domain's events (fields the roster does not read left out). No log position, no meta: the fold reads
 * the events of a case in stream order.
 */
const FOLD_COLUMNS = `e.stream_id, e.stream_version, e.type,
  CASE WHEN e.type IN ('ReportSubmitted', 'ReportImported') THEN e.data->>'caseNumber' END AS case_number,
  CASE WHEN e.type IN (${WITH_APPLICANT}) THEN e.data #>> '{applicant,nationalId}' END AS national_id,
  CASE WHEN e.type IN (${WITH_APPLICANT}) THEN e.data #>> '{applicant,profession}' END AS profession,
  CASE WHEN e.type IN (${WITH_APPLICANT}) THEN e.data #>> '{applicant,home,code}' END AS home_code,
  CASE WHEN e.type IN (${WITH_TERMS}) THEN e.data #>> '{terms,supported,code}' END AS supported_code,
  CASE WHEN e.type IN (${WITH_TERMS}) THEN e.data #>> '{terms,department}' END AS department,
  CASE WHEN e.type IN (${WITH_TERMS}) THEN e.data #>> '{terms,schedule}' END AS schedule,
  CASE e.type WHEN 'CancellationRequested' THEN e.data->>'effectiveDate' WHEN 'ReportImported' THEN e.data->>'cancelledOn' END AS effective_date,
  CASE WHEN e.type IN ('ReportImported', 'ReportWithdrawn') THEN e.data->>'applicationType' END AS application_type,
  CASE WHEN e.type = 'ReportImported' THEN e.data->>'status' END AS status,
  CASE WHEN e.type IN (${sqlList(ROSTER_EVENT_TYPES)}) THEN e.data->>'approvalNumber' END AS approval_number`

// (top-level functions, not closures made per row: tsx names every function it creates, at a cost per creation)
const applicant = (r: FoldRow) => ({ nationalId: r.national_id, profession: r.profession, home: { code: r.home_code } })
const terms = (r: FoldRow) => ({
  supported: { code: r.supported_code },
  department: r.department,
  schedule: r.schedule === null ? null : (JSON.parse(r.schedule) as unknown),
})

const byVersion = (a: LogEvent, b: LogEvent) => a.streamVersion - b.streamVersion

function foldData(r: FoldRow): unknown {
  switch (r.type) {
    case 'ReportDrafted':
      return { terms: terms(r), applicant: applicant(r) }
    case 'ReportImported': {
      const d = { caseNumber: r.case_number, terms: terms(r), applicant: applicant(r), status: r.status, applicationType: r.application_type }
      return r.effective_date === null ? d : { ...d, cancelledOn: r.effective_date }
    }
    case 'ReportSubmitted':
      return { caseNumber: r.case_number }
    case 'DraftEdited':
    case 'ReportResubmitted':
    case 'ChangeRequested':
      return { terms: terms(r) }
    case 'CancellationRequested':
      return { effectiveDate: r.effective_date }
    case 'ReportWithdrawn':
      return { applicationType: r.application_type }
    case 'ReportApproved':
    case 'ChangeApproved':
    case 'CancellationApproved':
      return { approvalNumber: r.approval_number }
    default:
      return {}
  }
}

const ROSTER_TYPES_SQL = sqlList(ROSTER_EVENT_TYPES)

/** The PostgreSQL event store's table, read directly: one query for the day's approvals, one per batch of streams. */
export function postgresRosterSource(db: Database, opts: { pageSize?: number } = {}): RosterSource {
  const pageSize = opts.pageSize ?? 1000
  return {
    async *approvals(from, to) {
      // One pass over the day: which events the day's approvals are (stream, version, type) and the one field of
      // their data the roster reads (the approval number), in log order, through
      // the partial index on their business time (events_roster_day, postgres-migrations.ts), in one statement: the
      // rows read for the day's conditions give them, no second lookup by position. (Paging with a keyset on the log
      // order re-read every approval of the log for each page: no index gives the day's approvals of three types in
      // log order.) The index holds the occurredAt text; ISO texts in UTC sort like their instants, and a day's
      // margin on each side keeps any offset form inside the range, so the exact condition (the instant, cast once)
      // decides. All taken under the horizon at once: the day is read as one consistent set. A JSON text per page of
      // approvals, parsed when its turn comes (a 100,000-approval day is ~6 MB of text; the data of the events come
      // batch by batch, readStreams).
      const DAY_MS = 86_400_000
      const r = await db.query<{ a: string }>(
        `SELECT json_agg(json_build_array(d.stream_id, d.stream_version, d.type, d.approval_number) ORDER BY d.n)::text AS a
         FROM (SELECT e.stream_id, e.stream_version, e.type, e.data->>'approvalNumber' AS approval_number,
                 row_number() OVER (ORDER BY e.transaction_id, e.global_position) AS n
               FROM events e
               WHERE ${VISIBLE} AND e.type IN (${ROSTER_TYPES_SQL})
                 AND e.meta->>'occurredAt' >= $1 AND e.meta->>'occurredAt' < $2
                 AND (e.meta->>'occurredAt')::timestamptz <@ tstzrange($3::timestamptz, $4::timestamptz, '[)')
                 AND coalesce(e.meta->>'correlationId', '') NOT LIKE '${DEMO_CORRELATION_PREFIX}%') AS d
         GROUP BY (d.n - 1) / $5 ORDER BY (d.n - 1) / $5`,
        [new Date(from.getTime() - DAY_MS).toISOString(), new Date(to.getTime() + DAY_MS).toISOString(), from.toISOString(), to.toISOString(), pageSize],
      )
      const pages = r.rows.map((row) => row.a)
      r.rows.length = 0
      for (let i = 0; i < pages.length; i++) {
        const page = JSON.parse(pages[i]!) as [string, number, string, string | null][]
        pages[i] = '' // parsed: its text is let go
        for (const [stream, streamVersion, type, approvalNumber] of page) yield { stream, streamVersion, type, data: { approvalNumber } }
      }
    },
    async logMark() {
      // A transaction id of our own, taken now (this one-statement transaction commits at once): every transaction
      // that has written so far got a lower id. (The snapshot's xmax is NOT such a mark: it is one past the latest
      // COMPLETED transaction, and an in-flight transaction at or above it is in no snapshot's list.)
      const r = await db.query<{ mark: string }>(`SELECT pg_current_xact_id()::text AS mark`)
      return BigInt(r.rows[0]!.mark) + 1n
    },
    async finishedBefore(mark) {
      // The last transaction id below the mark passes the store's own horizon condition only once every
      // transaction up to it has finished.
      const r = await db.query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM (SELECT $1::text::xid8 AS transaction_id) AS m WHERE ${GAP_SAFE_CONDITION}) AS ok`,
        [(mark - 1n).toString()],
      )
      return r.rows[0]!.ok === true
    },
    async readStreams(upTo, types) {
      const out = new Map<string, LogEvent[]>()
      if (upTo.size === 0) return out
      const streams = [...upTo.keys()]
      const versions = streams.map((s) => upTo.get(s)!)
      const params: unknown[] = [streams, versions]
      let typeFilter = ''
      if (types) {
        params.push([...types])
        typeFilter = ` AND e.type = ANY($3::text[])`
      }
      const r = await db.query<FoldRow>(
        `SELECT ${FOLD_COLUMNS}
         FROM unnest($1::text[], $2::int[]) AS w(stream_id, upto)
         JOIN events e ON e.stream_id = w.stream_id AND e.stream_version <= w.upto
         WHERE 1 = 1${typeFilter}`,
        params,
      )
      // Grouped by stream here, not sorted by the database: each stream's rows come in stream order from its index
      // scan, and are put in order here when they do not.
      let unordered = false
      for (const row of r.rows) {
        const e: LogEvent = { stream: row.stream_id, streamVersion: row.stream_version, type: row.type, data: foldData(row) }
        const list = out.get(e.stream)
        if (!list) out.set(e.stream, [e])
        else {
          if (list[list.length - 1]!.streamVersion > e.streamVersion) unordered = true
          list.push(e)
        }
      }
      if (unordered) for (const list of out.values()) list.sort(byVersion)
      return out
    },
  }
}

/** The fastest source for this store: direct SQL on the PostgreSQL adapter's table when its database is at hand. */
export function rosterSourceFor(store: EventStore, db?: Database): RosterSource {
  return store.kind === 'postgres' && db ? postgresRosterSource(db) : portRosterSource(store)
}
