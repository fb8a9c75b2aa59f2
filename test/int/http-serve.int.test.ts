// `baobei serve` wiring: runtime + migrations + in-process projections, /status and /metrics, listen, close.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../commands/platform/config.js'
import { startServer } from '../../http/serve.js'
import { freshDatabase } from '../support/db.js'

const tdb = await freshDatabase('serve')
t.teardown(() => tdb.drop())
const dir = await mkdtemp(join(tmpdir(), 'bb-serve-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

t.test('serves pages, /status and /metrics on HOST:PORT', async (t) => {
  const config = loadConfig({}, { DATABASE_URL: tdb.url, PORT: 0, HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'silent' })
  const server = await startServer(config, { signals: false })
  t.teardown(() => server.close())
  const health = await fetch(`${server.url}/healthz`)
  t.equal(health.status, 200)
  const status = await fetch(`${server.url}/status`)
  t.equal(status.status, 200)
  t.type(await status.json(), 'object')
  const metrics = await (await fetch(`${server.url}/metrics`)).text()
  t.match(metrics, /baobei_projection/)
  const login = await fetch(`${server.url}/`, { redirect: 'manual' })
  t.equal(login.status, 303)
})
