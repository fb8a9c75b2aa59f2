// Fault: appends go out in groups (one transaction and one WAL flush for the commands that arrive together). The
// writing process is killed with SIGKILL at random instants, half the time just after its database connections were
// terminated under it, 12 times in a row. Every command it acknowledged is in the log, whole, exactly once; nothing
// is in the log half-written (stream versions equal the events stored; every event's command has its result row).
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { freshDatabase } from '../support/db.js'
import { prng } from '../support/data-generator.js'
import { childScriptArgs } from '../support/child-script.js'

const CHILD = childScriptArgs(new URL('../support/group-commit-child.ts', import.meta.url))
const KILLS = Number(process.env.BAOBEI_LONG ? 40 : 12)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test(`SIGKILL a group-committing writer ${KILLS} times: no acknowledged command is lost, nothing is torn`, async (t) => {
  const tdb = await freshDatabase('bbfaultg')
  t.teardown(() => tdb.drop())
  await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
  const r = prng(1717)
  const acked = new Map<string, number>()
  let errors = 0
  for (let k = 0; k < KILLS; k++) {
    const child = spawn(process.execPath, [...CHILD, tdb.url, String(k)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let buffered = ''
    let started = false
    child.stdout!.on('data', (d: Buffer) => {
      buffered += String(d)
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        if (line === 'started') started = true
        const [kind, id, n] = line.split(' ')
        if (kind === 'ack') acked.set(id!, Number(n))
        else if (kind === 'err') errors++
      }
    })
    const deadline = Date.now() + 20_000
    while (!started && Date.now() < deadline) await sleep(10)
    await sleep(300 + Math.floor(r() * 1200))
    if (r() < 0.5) {
      // connections dropped under in-flight groups, then the process dies a moment later
      await tdb.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'group-commit-child'`)
      await sleep(Math.floor(r() * 30))
    }
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
  t.comment(`${acked.size} commands acknowledged, ${errors} refused or failed, across ${KILLS} kills`)
  t.ok(acked.size > 200, 'the writers got work done between kills')

  const inLog = new Map(
    (await tdb.db.query<{ c: string; n: number }>(`SELECT meta->>'commandId' AS c, count(*)::int AS n FROM events GROUP BY 1`)).rows.map((x) => [x.c, x.n]),
  )
  const lost: string[] = []
  for (const [id, n] of acked) if (inLog.get(id) !== n) lost.push(`${id}: acknowledged with ${n} events, ${inLog.get(id) ?? 0} in the log`)
  t.same(lost, [], 'every acknowledged command is in the log with all its events, once')
  const torn = await tdb.db.query(
    `SELECT s.stream_id FROM streams s LEFT JOIN events e USING (stream_id) GROUP BY s.stream_id, s.version HAVING count(e.*) <> s.version`,
  )
  t.same(torn.rows, [], 'stream versions equal the events stored')
  const orphans = await tdb.db.query(
    `SELECT DISTINCT e.meta->>'commandId' AS c FROM events e LEFT JOIN command_results cr ON cr.command_id = e.meta->>'commandId'
     WHERE cr.last_commit IS NULL`,
  )
  t.same(orphans.rows, [], 'every stored event belongs to a command with its recorded result')
  const unfinished = await tdb.db.query(`SELECT command_id FROM command_results WHERE last_commit IS NULL`)
  t.same(unfinished.rows, [], 'no claim without a result survives')
  const grouped = await tdb.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT transaction_id FROM events GROUP BY transaction_id HAVING count(DISTINCT meta->>'commandId') > 1) g`,
  )
  t.ok(grouped.rows[0]!.n > 0, `commands really shared transactions (${grouped.rows[0]!.n} transactions held several commands)`)
})
