// Issue #13: attachment uploads are charged to a quota per owner per day, atomically (parallel uploads cannot pass
// it together), before the content is stored; multipart limits are sized to the real need (one file of at most
// MAX_UPLOAD_BYTES, at most 10 files a request).
import t from 'tap'
import { chargeUpload } from '../../http/attachment-quota.js'
import { MAX_UPLOAD_BYTES } from '../../http/app.js'
import { buildTestApp, login, multipart, professional } from '../support/http.js'

const h = await buildTestApp(t)
const { app, tdb, clock } = h
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(1000)])

t.test('parallel uploads cannot pass the quota together', async (t) => {
  const results = await Promise.allSettled(Array.from({ length: 30 }, () => chargeUpload(tdb.db, 'institution:X', 10, clock.now, 100)))
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 10, 'exactly the quota')
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
  t.equal(refused.reason.code, 'ATTACHMENT_QUOTA_EXCEEDED')
  clock.advance(24 * 3600_000)
  await t.resolves(chargeUpload(tdb.db, 'institution:X', 10, clock.now, 100), 'a new day, a new quota')
})

t.test('an upload is charged to its owner before it is stored', async (t) => {
  const s = await login(app, professional())
  const m = multipart({}, [{ name: 'file', filename: 'a.png', type: 'image/png', content: png }])
  const r = await app.inject({ method: 'POST', url: '/api/attachments', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...m.headers }, payload: m.payload })
  t.equal(r.statusCode, 201, r.body)
  const q = await tdb.db.query<{ bytes: string }>(`SELECT bytes FROM upload_quota WHERE owner = 'professional:A123456789'`)
  t.equal(Number(q.rows[0]?.bytes), png.length)
  await tdb.db.query(`UPDATE upload_quota SET bytes = 200 * 1024 * 1024 WHERE owner = 'professional:A123456789'`)
  const over = await app.inject({ method: 'POST', url: '/api/attachments', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...m.headers }, payload: m.payload })
  t.equal(over.statusCode, 429)
  t.equal(over.json().code, 'ATTACHMENT_QUOTA_EXCEEDED')
})

t.test('blobs no case references are removed after the grace period; referenced and recent ones stay', async (t) => {
  const { mkdtempSync, rmSync, existsSync, utimesSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { randomUUID } = await import('node:crypto')
  const { createFileBlobStore } = await import('../../commands/attachments/blob-store.js')
  const { sweepOrphanBlobs } = await import('../../commands/attachments/orphan-sweep.js')
  const { reportStream } = await import('../../domain/events.js')
  const dir = mkdtempSync(join(tmpdir(), 'bb-orphans-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const blobs = createFileBlobStore(dir)
  const kept = await blobs.put('kept.png', Buffer.concat([png, Buffer.from('kept')]))
  const orphan = await blobs.put('orphan.png', Buffer.concat([png, Buffer.from('orphan')]))
  const recent = await blobs.put('recent.png', Buffer.concat([png, Buffer.from('recent')]))
  const fileOf = (hash: string) => join(dir, hash.slice(0, 2), hash)
  const old = new Date(Date.now() - 3 * 24 * 3600_000)
  for (const a of [kept, orphan]) utimesSync(fileOf(a.hash), old, old)
  const commandId = randomUUID()
  await h.services.store!.append(reportStream(randomUUID()), [{ type: 'AttachmentAdded', data: { attachment: kept }, meta: { commandId, actor: { role: 'professional', id: 'A123456789', via: 'hca-professional-card' }, correlationId: commandId, causationId: commandId, occurredAt: new Date().toISOString() } }], 'any')
  t.equal(await sweepOrphanBlobs({ dir, store: h.services.store!, now: new Date() }), 1)
  t.ok(existsSync(fileOf(kept.hash)), 'referenced by a case: kept')
  t.notOk(existsSync(fileOf(orphan.hash)), 'unreferenced past the grace period: removed')
  t.ok(existsSync(fileOf(recent.hash)), 'unreferenced but recent: kept')
})

t.test('multipart limits: a file past MAX_UPLOAD_BYTES, or more than 10 files, are refused, nothing charged', async (t) => {
  const s = await login(app, professional('Q134567894', '劉冠宇'))
  const post = (files: { name: string; filename: string; type: string; content: Buffer }[]) => {
    const m = multipart({}, files)
    return app.inject({ method: 'POST', url: '/api/attachments', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...m.headers }, payload: m.payload })
  }
  const big = await post([{ name: 'file', filename: 'big.png', type: 'image/png', content: Buffer.concat([png, Buffer.alloc(MAX_UPLOAD_BYTES)]) }])
  t.equal(big.statusCode, 413)
  t.equal(big.json().code, 'ATTACHMENT_TOO_LARGE')
  const many = await post(Array.from({ length: 11 }, (_, i) => ({ name: 'file', filename: `p${i}.png`, type: 'image/png', content: Buffer.concat([png, Buffer.from(String(i))]) })))
  t.equal(many.statusCode, 413)
  t.equal(many.json().code, 'ATTACHMENT_TOO_LARGE')
  const q = await tdb.db.query(`SELECT bytes FROM upload_quota WHERE owner = 'professional:Q134567894' AND bytes > 0`)
  t.equal(q.rows.length, 0, 'nothing charged to the owner')
})
