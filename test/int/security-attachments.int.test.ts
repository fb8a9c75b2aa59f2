// Issue #13: attachment uploads are charged to a quota per owner per day, atomically (parallel uploads cannot pass
// it together), before the content is stored.
import t from 'tap'
import { chargeUpload } from '../../http/attachment-quota.js'
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
