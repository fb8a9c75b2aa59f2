// A projection whose rows change form for the same events (a bumped `revision`, no DDL change) is rebuilt beside the
// live version when the runner starts, and readers are switched to rows of the new form: old rows never linger.
import t from 'tap'
import type { Projection } from '../../projections/projection.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { ddlHash } from '../../projections/catalog.js'
import { appendCases, lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'
import { liveVersionOf } from '../support/projection-compare.js'

/** A tiny projection: one row per event, its label rendered by `render` (the thing a revision changes). */
function labels(revision: number, render: (type: string) => string, extra: 'has' | 'had' | 'none' = 'none'): Projection {
  return {
    name: 'labels',
    // 'has': a second table (labels_extra); 'had': a later form without it (formerTables: dropped with old versions)
    tables: extra === 'has' ? ['labels', 'labels_extra'] : ['labels'],
    ...(extra === 'had' ? { formerTables: ['labels_extra'] } : {}),
    revision,
    ddl: (v) =>
      `CREATE TABLE IF NOT EXISTS rm_labels_v${v} (stream text, version int, label text NOT NULL, PRIMARY KEY (stream, version));` +
      (extra === 'has' ? `CREATE TABLE IF NOT EXISTS rm_labels_extra_v${v} (x int);` : ''),
    async handle(events, ctx) {
      for (const e of events)
        await ctx.tx.query(`INSERT INTO ${ctx.table('labels')} (stream, version, label) VALUES ($1, $2, $3)`, [e.stream, e.streamVersion, render(e.type)])
    },
  }
}

t.test('the fingerprint changes with the revision, not for revision 1 vs none', async (t) => {
  const a = labels(1, (x) => x)
  t.equal(ddlHash(a), ddlHash({ ...a, revision: undefined }), 'revision 1 is the default: existing projections are not rebuilt')
  t.not(ddlHash(labels(2, (x) => x)), ddlHash(a), 'revision 2 is a different definition')
})

t.test('a bumped revision rebuilds on start and switches readers to the new form', async (t) => {
  const env = await projectionEnv('bbrev')
  t.teardown(() => env.drop())
  await appendCases(env.store, [randomCase(rng(7), 1), randomCase(rng(8), 2)])
  const head = await lastAppendedPosition(env.db)

  const v1 = createProjectionRunner({ db: env.db, store: env.store, projections: [labels(1, (x) => `old:${x}`, 'has')] })
  await v1.start()
  t.ok(await v1.waitFor(head, ['labels'], 30_000), 'revision 1 caught up')
  await v1.stop()
  const live1 = await liveVersionOf(env.db, 'labels')
  const oldRows = await env.db.query<{ label: string }>(`SELECT label FROM rm_labels_v${live1}`)
  t.ok(oldRows.rows.length > 0 && oldRows.rows.every((r) => r.label.startsWith('old:')), 'rows of the old form')

  const v2 = createProjectionRunner({ db: env.db, store: env.store, projections: [labels(2, (x) => `new:${x}`, 'had')] })
  await v2.start()
  t.teardown(() => v2.stop())
  let live2 = live1
  for (let i = 0; i < 300 && live2 === live1; i++) {
    await new Promise((r) => setTimeout(r, 100))
    live2 = await liveVersionOf(env.db, 'labels')
  }
  t.equal(live2, live1 + 1, 'a new version was built and switched to')
  const newRows = await env.db.query<{ label: string }>(`SELECT label FROM rm_labels_v${live2}`)
  t.equal(newRows.rows.length, oldRows.rows.length, 'every event projected again')
  t.ok(newRows.rows.every((r) => r.label.startsWith('new:')), 'only rows of the new form')
  // the old tables are dropped just after the switch (outside it): give that a moment
  let gone = await env.db.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [`rm_labels_v${live1}`])
  for (let i = 0; i < 50 && gone.rows[0]!.t !== null; i++) {
    await new Promise((r) => setTimeout(r, 100))
    gone = await env.db.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [`rm_labels_v${live1}`])
  }
  t.equal(gone.rows[0]!.t, null, 'old tables dropped')
  const former = await env.db.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [`rm_labels_extra_v${live1}`])
  t.equal(former.rows[0]!.t, null, 'the old version table the new form no longer has (formerTables) dropped too')
})
