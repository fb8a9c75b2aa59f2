import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { benchDatabase } from './lib/env.js'
const env = await benchDatabase('gcc')
const c = new pg.Client({ connectionString: env.url })
await c.connect()
await c.query(`CREATE TABLE raw_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
await c.query(`SET synchronous_commit = off`)
if (process.env.GEN) await c.query(`ALTER FUNCTION baobei_append_group SET plan_cache_mode = force_generic_plan`)
const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10 } // ms (100 Hz)
const meta = JSON.stringify({ commandId: randomUUID(), actor: { role: 'system', id: 't', via: 'system' }, correlationId: 'c', causationId: 'c', occurredAt: '2024-01-01T00:00:00Z' })
const data = JSON.stringify({ a: 'x'.repeat(600) })
for (const G of [1, 8, 32]) for (const kind of ['group', 'raw', 'old']) {
  const c0 = cpu()
  const N = 3200
  for (let i = 0; i < N / G; i++) {
    const streams = Array.from({ length: G }, () => randomUUID())
    if (kind === 'raw') {
      for (const s of streams) await c.query(`INSERT INTO raw_events (event_id, stream_id, stream_version, type, data, meta) VALUES (gen_random_uuid(), $1, 1, 'X', $2, $3)`, [s, data, meta])
    } else if (kind === 'old') {
      for (const s of streams) await c.query(`SELECT * FROM baobei_append($1, 'no_stream', $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`, [s, randomUUID(), [randomUUID()], ['X'], [data], [meta]])
    } else {
      await c.query(`SELECT * FROM baobei_append_group($1::text[], $2::text[], $3::text[], $4::integer[], $5::integer[], $6::integer[], $7::uuid[], $8::text[], $9::jsonb[], $10::jsonb[])`,
        [streams, streams.map(() => 'no_stream'), streams.map(() => randomUUID()), streams.map(() => 1), streams.map((_, i) => i + 1), streams.map(() => 1), streams.map(() => randomUUID()), streams.map(() => 'X'), streams.map(() => data), streams.map(() => meta)])
    }
  }
  console.log(`G=${G} ${kind}: ${((cpu() - c0) * 1000 / N).toFixed(0)} us backend CPU per command`)
}
await c.end()
await env.drop()
