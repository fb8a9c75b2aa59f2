// The live projections in one group (issue #17 "Live projections under load"): one subscription from the smallest
// checkpoint among the members and, per batch, ONE transaction for all of them: the members' checkpoints locked in
// one statement (fixed order), each member's handle run on the events after its own checkpoint, and the checkpoints
// moved by compare-and-set in one statement. A member whose handle throws is rolled back alone (its checkpoint
// stays) while the others commit; the runner then moves it to a worker of its own. Failures are rare, so a batch
// runs without savepoints first (a SAVEPOINT per member was a quarter of a batch's round trips under load); when a
// member throws, that transaction is rolled back whole and the batch is run again with a SAVEPOINT per member. A
// member whose checkpoint moved (another runner, a version switch) is left out of the batch and the group restarts
// from the checkpoints it reads again. Events are never skipped and never applied twice.
import type { Database, Sql } from '../commands/platform/database.js'
import { comparePositions, type LogPosition, type RecordedEvent } from '../commands/event-store/port.js'
import type { CaseStates } from './case-states.js'
import { contextFor, type Projection } from './projection.js'

export interface GroupMember {
  p: Projection
  /** The live version this member writes (read when the group (re)started). */
  version: number
  /** Its checkpoint as this group last committed or read it. */
  expected: LogPosition
}

export interface GroupBatchOutcome {
  /** Members whose rows and checkpoint (moved to the batch's last position) committed. */
  applied: GroupMember[]
  /** Members whose handle threw: rolled back to their savepoint, checkpoint unmoved. */
  failed: Array<{ member: GroupMember; error: Error }>
  /** Members whose checkpoint was not where the group expected it (or is gone): left out of the batch. */
  moved: GroupMember[]
  /** Whether a transaction was run (false when no member had events after its checkpoint). */
  transaction: boolean
}

interface RawCp {
  name: string
  version: number
  position_commit: string
  position_prepare: string
}

const byKey = (a: GroupMember, b: GroupMember) => (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : a.version - b.version)

/** Locks the checkpoints of `members` in one statement, in (name, version) order (as rebuild switches take them). */
async function lockCheckpoints(tx: Sql, members: readonly GroupMember[]): Promise<Map<string, LogPosition>> {
  const r = await tx.query<RawCp>(
    `SELECT name, version, position_commit::text, position_prepare::text FROM projection_checkpoints
     WHERE (name, version) IN (SELECT unnest($1::text[]), unnest($2::int[]))
     ORDER BY name, version FOR UPDATE`,
    [members.map((m) => m.p.name), members.map((m) => m.version)],
  )
  return new Map(r.rows.map((x) => [`${x.name}\u0000${Number(x.version)}`, { commit: BigInt(x.position_commit), prepare: BigInt(x.position_prepare) }]))
}

/** Moves the checkpoints of `members` from their expected position to `last` by compare-and-set; returns the names moved. */
async function moveCheckpoints(tx: Sql, members: readonly GroupMember[], last: LogPosition): Promise<Set<string>> {
  const r = await tx.query<{ name: string }>(
    `UPDATE projection_checkpoints c SET position_commit = $3, position_prepare = $4, updated_at = now()
     FROM (SELECT unnest($1::text[]) AS name, unnest($2::int[]) AS version, unnest($5::bigint[]) AS pc, unnest($6::bigint[]) AS pp) v
     WHERE c.name = v.name AND c.version = v.version AND c.position_commit = v.pc AND c.position_prepare = v.pp
     RETURNING c.name`,
    [
      members.map((m) => m.p.name),
      members.map((m) => m.version),
      last.commit.toString(),
      last.prepare.toString(),
      members.map((m) => m.expected.commit.toString()),
      members.map((m) => m.expected.prepare.toString()),
    ],
  )
  return new Set(r.rows.map((x) => x.name))
}

/** The check-and-set found a checkpoint it had locked elsewhere than expected: the whole batch is rolled back. */
export class GroupCheckpointLost extends Error {
  constructor(readonly names: readonly string[]) {
    super(`checkpoints of ${names.join(', ')} not moved by the group batch`)
    this.name = 'GroupCheckpointLost'
  }
}

/**
 * Applies one batch (log order) to every member with events after its own checkpoint, in ONE transaction (a second
 * one, with savepoints, when a member throws in the first). Does not change the members (the caller moves `expected`
 * of the applied ones after it resolves). Throws (nothing committed) when the transaction itself fails: a statement
 * outside a member's handle, a savepoint rollback, the commit.
 */
export async function applyGroupBatch(
  db: Database,
  members: readonly GroupMember[],
  events: readonly RecordedEvent[],
  caseStates: CaseStates,
): Promise<GroupBatchOutcome> {
  const outcome: GroupBatchOutcome = { applied: [], failed: [], moved: [], transaction: false }
  const last = events[events.length - 1]?.position
  if (!last) return outcome
  // each member's share: the events after its own checkpoint (a suffix of the batch, in log order)
  const work: Array<{ m: GroupMember; events: readonly RecordedEvent[] }> = []
  for (const m of [...members].sort(byKey)) {
    if (comparePositions(m.expected, last) >= 0) continue
    const first = events.findIndex((e) => comparePositions(e.position, m.expected) > 0)
    if (first >= 0) work.push({ m, events: first === 0 ? events : events.slice(first) })
  }
  if (!work.length) return outcome
  outcome.transaction = true
  try {
    await runBatch(db, work, last, caseStates, outcome, false)
  } catch (e) {
    if (!(e instanceof MemberThrew)) throw e
    await runBatch(db, work, last, caseStates, outcome, true)
  }
  return outcome
}

/** A member's handle threw in a batch run without savepoints: the batch is run again with them. */
class MemberThrew extends Error {}

async function runBatch(
  db: Database,
  work: ReadonlyArray<{ m: GroupMember; events: readonly RecordedEvent[] }>,
  last: LogPosition,
  caseStates: CaseStates,
  outcome: GroupBatchOutcome,
  isolated: boolean,
): Promise<void> {
  await db.transaction(async (tx) => {
    const applied: GroupMember[] = []
    const failed: Array<{ member: GroupMember; error: Error }> = []
    const moved: GroupMember[] = []
    const cps = await lockCheckpoints(
      tx,
      work.map((w) => w.m),
    )
    for (const { m, events: mine } of work) {
      const cp = cps.get(`${m.p.name}\u0000${m.version}`)
      if (!cp || comparePositions(cp, m.expected) !== 0) {
        moved.push(m)
        continue
      }
      if (!isolated) {
        try {
          await m.p.handle(mine, contextFor(tx, m.version, caseStates))
        } catch {
          throw new MemberThrew()
        }
        applied.push(m)
        continue
      }
      // savepoints are not released: the next one nests inside, and a rollback goes to the newest of the name
      await tx.exec('SAVEPOINT baobei_member')
      try {
        await m.p.handle(mine, contextFor(tx, m.version, caseStates))
        applied.push(m)
      } catch (e) {
        // a failing rollback (connection gone...) fails the whole transaction: nothing of the batch commits
        await tx.exec('ROLLBACK TO SAVEPOINT baobei_member')
        failed.push({ member: m, error: e instanceof Error ? e : new Error(String(e)) })
      }
    }
    if (applied.length) {
      const done = await moveCheckpoints(tx, applied, last)
      const lost = applied.filter((m) => !done.has(m.p.name))
      if (lost.length || done.size !== applied.length) throw new GroupCheckpointLost(lost.map((m) => m.p.name))
    }
    outcome.applied = applied
    outcome.failed = failed
    outcome.moved = moved
  })
}
