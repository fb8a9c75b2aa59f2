// Issue #13: request logs hold no national IDs (the query string is cut off), and the files that hold personal data
// (attachments, roster files, the embedded database) are written owner-only.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import { openDatabase } from '../../commands/platform/runtime.js'
import { createFileBlobStore } from '../../commands/attachments/blob-store.js'
import { writeRosterFile } from '../../exporter/roster-file.js'
import { buildTestApp, login, reviewer } from '../support/http.js'

t.test('request logs never contain the national ID of a search', async (t) => {
  const lines: string[] = []
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
  const { app } = await buildTestApp(t, { logger: createLogger('info', sink) })
  const s = await login(app, reviewer())
  const r = await app.inject({ url: '/review/cases?personId=A123456789', headers: { cookie: s.cookie } })
  t.equal(r.statusCode, 200)
  const log = lines.join('')
  t.match(log, '/review/cases?[redacted]', 'the request is logged, without its query')
  t.notMatch(log, 'A123456789')
})

t.test('attachments, roster files and the embedded database are owner-only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-modes-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const blobs = createFileBlobStore(join(dir, 'blobs'))
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)])
  const a = await blobs.put('x.png', png)
  t.equal(statSync(join(dir, 'blobs', a.hash.slice(0, 2), a.hash)).mode & 0o077, 0, 'attachment')
  const file = join(dir, 'SUPPORT_1130301_01.txt')
  await writeRosterFile(file, { day: '1130301', sequence: 1, senderCode: 'BAOBEI0001', createdAt: '1130302010000' }, (async function* () {})())
  t.equal(statSync(file).mode & 0o077, 0, 'roster file')
  const db = await openDatabase(loadConfig({}, { DATA_DIR: dir, LOG_LEVEL: 'silent' }), createLogger('silent'))
  await db.close()
  t.equal(statSync(join(dir, 'pglite')).mode & 0o077, 0, 'embedded database directory')
})
