// Crash safety: a projection runner in a child process is killed with SIGKILL at random points, several times,
// while events are being appended; after resuming, every read model equals a clean rebuild (rows equal).
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { readCheckpoints } from '../../projections/catalog.js'
import { appendCases, lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'
import { dumpProjection } from '../support/projection-compare.js'
import { comparePositions } from '../../commands/event-store/port.js'
import { childScriptArgs } from '../support/child-script.js'

const CHILD = childScriptArgs(new URL('../support/projection-crash-child.ts', import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function startChild(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...CHILD, url, '40'], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('started')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)))
  })
}

t.test('kill -9 the runner at random points while appending; resume; read models equal a clean rebuild', async (t) => {
  const env = await projectionEnv('bbcrash')
  t.teardown(() => env.drop())
  const r = rng(2024)
  let stop = false
  let appended = 0
  let n = 0
  const writer = async () => {
    while (!stop) {
      const b = randomCase(r, n++)
      await appendCases(env.store, [b])
      appended += b.events.length
    }
  }
  const writers = [writer(), writer()]
  const progress: string[] = []
  for (let round = 0; round < 4; round++) {
    const child = await startChild(env.url)
    await sleep(300 + Math.floor(r() * 900))
    child.kill('SIGKILL')
    await once(child, 'exit')
    const cps = await readCheckpoints(env.db)
    progress.push(cps.map((c) => `${c.name}@${c.position.prepare}`).join(' '))
  }
  stop = true
  await Promise.all(writers)
  t.comment(`appended ${appended} events; checkpoints after each kill:\n${progress.join('\n')}`)
  t.ok(appended > 200, 'events were appended during the crashes')
  const head = await lastAppendedPosition(env.db)
  const afterKills = await readCheckpoints(env.db)
  t.ok(afterKills.some((c) => c.position.commit >= 0n), 'the killed runners made progress')
  t.ok(afterKills.some((c) => comparePositions(c.position, head) < 0), 'and were killed before the end (work left to resume)')

  // resume: a fresh child catches up
  const child = await startChild(env.url)
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
  t.ok(await runner.waitFor(head, undefined, 60_000), 'resumed runner caught up')
  child.kill('SIGKILL')
  await once(child, 'exit')

  for (const p of PROJECTIONS) {
    const live = await dumpProjection(env.db, p, 1)
    await runner.rebuild(p.name)
    const rebuilt = await dumpProjection(env.db, p, 2)
    for (const table of Object.keys(rebuilt)) {
      t.equal(live[table]!.length, rebuilt[table]!.length, `${p.name}.${table}: same row count (${rebuilt[table]!.length})`)
      t.same(live[table], rebuilt[table], `${p.name}.${table}: rows equal a clean rebuild`)
    }
  }
})
