// The cookie secret outlives a restart: generated once into DATA_DIR (mode 600) unless SESSION_SECRET is set.
import t from 'tap'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sessionSecretFor } from '../../http/session-secret.js'

t.test('generated once, kept, private; SESSION_SECRET wins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-secret-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dataDir = join(dir, 'data')
  const first = sessionSecretFor({ DATA_DIR: dataDir })
  t.ok(first.length >= 32)
  t.equal(sessionSecretFor({ DATA_DIR: dataDir }), first, 'the same after a restart')
  t.equal(statSync(join(dataDir, 'session-secret')).mode & 0o777, 0o600, 'readable by the owner only')
  const other = sessionSecretFor({ DATA_DIR: join(dir, 'other') })
  t.not(other, first, 'another installation gets its own')
  t.equal(sessionSecretFor({ DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(40) }), 'x'.repeat(40))
})
