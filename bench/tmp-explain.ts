import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { benchDatabase } from './lib/env.js'
const env = await benchDatabase('gce')
const c = new pg.Client({ connectionString: env.url })
await c.connect()
await c.query("SET synchronous_commit = off")
const meta = JSON.stringify({ commandId: randomUUID() })
const data = JSON.stringify({ a: 'x'.repeat(600) })
const call = async (G: number) => {
  const streams = Array.from({ length: G }, () => randomUUID())
  const t0 = process.hrtime.bigint()
  await c.query(`SELECT * FROM baobei_append_group($1::text[], $2::text[], $3::text[], $4::integer[], $5::integer[], $6::integer[], $7::uuid[], $8::text[], $9::jsonb[], $10::jsonb[])`,
    [streams, streams.map(() => 'no_stream'), streams.map(() => randomUUID()), streams.map(() => 1), streams.map((_, i) => i + 1), streams.map(() => 1), streams.map(() => randomUUID()), streams.map(() => 'X'), streams.map(() => data), streams.map(() => meta)])
  return Number(process.hrtime.bigint() - t0) / 1000
}
if (process.env.GEN) await c.query(`ALTER FUNCTION baobei_append_group SET plan_cache_mode = force_generic_plan`)
for (let i = 0; i < 3000; i++) await call(1)
const ts = []; for (let i = 0; i < 200; i++) ts.push(await call(Number(process.env.G ?? 1))); ts.sort((a, b) => a - b); console.log("median us", ts[100])
await c.query(`LOAD 'auto_explain'`)
await c.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = on; SET auto_explain.log_level = notice; SET auto_explain.log_timing = on; SET client_min_messages = notice`)
c.on('notice', (n) => { const m = String(n.message); console.log(m) })
await call(1)
await c.end()
await env.drop()
