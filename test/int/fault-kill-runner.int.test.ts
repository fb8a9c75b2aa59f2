// Fault: the projection runner (a child process) is killed with SIGKILL at random moments, 20 times in a row —
// also while it is still starting (migrations, ensureProjection, first subscription), not only mid-batch — with
// writers appending all along. (projection-crash.int.test.ts kills a started runner 4 times; this is the repeated,
// random-point variant.) Afterwards a runner resumes, and every read model equals a clean rebuild.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { reportStream } from '../../domain/events.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { readCheckpoints } from '../../projections/catalog.js'
import { generateCases, prng, caseEvents } from '../support/data-generator.js'
import { lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { dumpProjection, liveVersionOf } from '../support/projection-compare.js'
import { childScriptArgs } from '../support/child-script.js'

const CHILD = childScriptArgs(new URL('../support/projection-crash-child.ts', import.meta.url))
const KILLS = Number(process.env.BAOBEI_LONG ? 60 : 20)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
// ~2 min in the suite on a busy 2-core machine; its parts wait on child processes that start slowly under that load
t.setTimeout(900_000)

t.test(`SIGKILL the projection runner ${KILLS} times at random points; the read models equal a clean rebuild`, async (t) => {
  const env = await projectionEnv('bbfaultk')
  t.teardown(() => env.drop())
  const r = prng(4242)
  const cases = generateCases({ seed: 31, cases: 100_000 })
  // a backlog first, so early runners die mid catch-up
  for (let i = 0; i < 600; i++) {
    const c = cases.next().value!
    await env.store.append(reportStream(c.caseId), caseEvents(c), 'no_stream')
  }
  let stop = false
  let appended = 0
  const writer = async () => {
    while (!stop) {
      const c = cases.next().value!
      // one append per command, as the command handler does
      let v = 0
      for (const cmd of c.commands) v = (await env.store.append(c.stream, cmd.events, v === 0 ? 'no_stream' : v)).nextVersion
      appended += v
      await sleep(5)
    }
  }
  const writers = [writer(), writer()]
  /** The furthest any projection's checkpoint has got. */
  const progress = async () => (await readCheckpoints(env.db).catch(() => [])).reduce((m, c) => (c.position.prepare > m ? c.position.prepare : m), -1n)
  const seen: string[] = []
  let startedKills = 0
  for (let k = 0; k < KILLS; k++) {
    const child = spawn(process.execPath, [...CHILD, env.url, String(20 + Math.floor(r() * 80))], { stdio: ['ignore', 'pipe', 'ignore'] })
    let started = false
    child.stdout!.on('data', (d) => (started ||= String(d).includes('started')))
    // a random moment: a third of the kills during start-up, the rest some time after it subscribed; every other
    // one of those once this runner has committed a batch (on a busy machine a first batch can take longer than
    // the 0-700 ms a kill waits after start-up, and then no runner would ever be killed with work behind it)
    const early = r() < 0.33
    const afterABatch = !early && k % 2 === 0
    const deadline = Date.now() + 60_000
    if (early) await sleep(400 + Math.floor(r() * 900))
    else {
      while (!started && Date.now() < deadline) await sleep(10)
      if (afterABatch) {
        const before = await progress()
        while (Date.now() < deadline && (await progress()) <= before) await sleep(50)
      }
      await sleep(Math.floor(r() * 700))
    }
    if (started) startedKills++
    child.kill('SIGKILL')
    await once(child, 'exit')
    const cps = await readCheckpoints(env.db).catch(() => [])
    seen.push(cps.map((c) => Number(c.position.prepare)).join(','))
  }
  stop = true
  await Promise.all(writers)
  t.comment(`${appended} events appended during ${KILLS} kills (${startedKills} after start-up); checkpoints seen: ${seen.slice(-3).join(' | ')}`)
  t.ok(startedKills >= KILLS / 3, 'most kills hit a running runner')
  t.ok(appended > 300, 'writers kept appending')
  const head = await lastAppendedPosition(env.db)
  const afterKills = await readCheckpoints(env.db)
  t.ok(afterKills.some((c) => c.position.prepare > 0n), 'the killed runners made progress')

  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
  await runner.start()
  t.ok(await runner.waitFor(head, undefined, 300_000), 'a new runner resumed and caught up')
  await runner.stop()
  for (const p of PROJECTIONS) {
    const live = await dumpProjection(env.db, p, await liveVersionOf(env.db, p.name))
    await runner.rebuild(p.name)
    const rebuilt = await dumpProjection(env.db, p, await liveVersionOf(env.db, p.name))
    t.same(live, rebuilt, `${p.name}: equals a clean rebuild (${Object.values(rebuilt).reduce((s, x) => s + x.length, 0)} rows)`)
  }
})
