import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { benchDatabase } from './lib/env.js'
const env = await benchDatabase('gcp')
const c = new pg.Client({ connectionString: env.url })
await c.connect()
await c.query("SET synchronous_commit = off")
if (process.env.GEN) await c.query(`SET plan_cache_mode = force_generic_plan`)
const meta = JSON.stringify({ commandId: randomUUID() })
const data = JSON.stringify({ a: 'x'.repeat(600) })
const call = async (G: number) => {
  const streams = Array.from({ length: G }, () => randomUUID())
  await c.query(`SELECT * FROM baobei_append_group($1::text[], $2::text[], $3::text[], $4::integer[], $5::integer[], $6::integer[], $7::uuid[], $8::text[], $9::jsonb[], $10::jsonb[])`,
    [streams, streams.map(() => 'no_stream'), streams.map(() => randomUUID()), streams.map(() => 1), streams.map((_, i) => i + 1), streams.map(() => 1), streams.map(() => randomUUID()), streams.map(() => 'X'), streams.map(() => data), streams.map(() => meta)])
}
for (let i = 0; i < 200; i++) await call(1)
await c.query(`SET log_planner_stats = on; SET log_executor_stats = on; SET client_min_messages = log`)
c.on('notice', (n) => { const m = String(n.message); const u = /! ([\d.]+) s user, ([\d.]+) s system/.exec(m); console.log(m.split('\n')[0], u ? u[1] : '', (n as any).detail?.match(/([\d.]+) s user/)?.[1]) })
await call(1)
await c.end()
await env.drop()
