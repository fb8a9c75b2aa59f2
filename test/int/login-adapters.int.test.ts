// The HTTP adapters of the login ports against a real local HTTP server: the NHI web-password check and the SMS
// gateway, chosen by configuration (NHI_PASSWORD_URL, SMS_GATEWAY_URL), with their failure codes.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { loadConfig } from '../../commands/platform/config.js'
import { createLoginServices } from '../../http/auth/login-service.js'
import { httpNhiPasswords } from '../../http/auth/nhi-password.js'
import { embeddedSmsOutbox, httpSmsGateway, listOutbox, OUTBOX_KEEP } from '../../http/auth/sms.js'
import { loginMigrations } from '../../http/auth/login-migrations.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { freshDatabase } from '../support/db.js'

const seen: Array<{ path: string; auth?: string; body: Record<string, unknown> }> = []
let mode: 'ok' | 'fail' | 'garbage' = 'ok'
const read = async (req: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
}
const server = createServer((req, res) => {
  void read(req).then((body) => {
    seen.push({ path: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body })
    if (mode === 'fail') return res.writeHead(500).end('down')
    if (mode === 'garbage') return res.writeHead(200, { 'content-type': 'text/plain' }).end('yes')
    if (req.url === '/nhi/check') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ valid: body.nationalId === 'A123456789' && body.password === 'right-pass' }))
    }
    res.writeHead(202).end()
  })
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
t.teardown(() => new Promise<void>((r) => server.close(() => r())))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
t.afterEach(() => {
  mode = 'ok'
  seen.length = 0
})

t.test('NHI password over HTTP: valid / invalid / service down', async (t) => {
  const p = httpNhiPasswords(`${base}/nhi/check`, { token: 'tok-1' })
  t.equal(await p.verify('A123456789', 'right-pass'), true)
  t.equal(await p.verify('A123456789', 'wrong-pass'), false)
  t.same(seen[0], { path: '/nhi/check', auth: 'Bearer tok-1', body: { nationalId: 'A123456789', password: 'right-pass' } })
  mode = 'fail'
  await t.rejects(p.verify('A123456789', 'right-pass'), { code: 'NHI_SERVICE_UNAVAILABLE' })
  mode = 'garbage'
  await t.rejects(p.verify('A123456789', 'right-pass'), { code: 'NHI_SERVICE_UNAVAILABLE' }, 'an answer without {valid} is not a yes')
  await t.rejects(httpNhiPasswords('http://127.0.0.1:1/x').verify('A123456789', 'x'), { code: 'NHI_SERVICE_UNAVAILABLE' }, 'unreachable')
})

t.test('SMS over HTTP: sent / refused', async (t) => {
  const sms = httpSmsGateway(`${base}/sms`)
  await sms.send('0912345678', 'hello', new Date())
  t.same(seen[0], { path: '/sms', body: { to: '0912345678', text: 'hello' } })
  mode = 'fail'
  await t.rejects(sms.send('0912345678', 'hello', new Date()), { code: 'SMS_SEND_FAILED' })
})

t.test('configuration picks the HTTP adapters', async (t) => {
  const tdb = await freshDatabase('login_adapters')
  t.teardown(() => tdb.drop())
  const config = loadConfig({ NHI_PASSWORD_URL: `${base}/nhi/check`, SMS_GATEWAY_URL: `${base}/sms`, SMS_GATEWAY_TOKEN: 'sms-tok' })
  const login = createLoginServices({ config, db: tdb.db })
  t.equal(await login.passwords.verify('A123456789', 'right-pass'), true)
  await login.sms.send('0912345678', 'code 123456', new Date())
  t.same(seen.map((s) => s.path), ['/nhi/check', '/sms'])
  t.equal(seen[1]!.auth, 'Bearer sms-tok')
  t.notOk(login.verifier, 'no TRUST_DIR outside demo mode: card logins are refused, not trusted blindly')
})

t.test('the embedded outbox keeps the last OUTBOX_KEEP messages', async (t) => {
  const tdb = await freshDatabase('login_outbox')
  t.teardown(() => tdb.drop())
  await runMigrations(tdb.db, loginMigrations)
  const sms = embeddedSmsOutbox(tdb.db)
  for (let i = 0; i < OUTBOX_KEEP + 5; i++) await sms.send('0912345678', `message ${i}`, new Date(Date.UTC(2024, 0, 1, 0, 0, i)))
  const all = await listOutbox(tdb.db, 1000)
  t.equal(all.length, OUTBOX_KEEP)
  t.equal(all[0]!.body, `message ${OUTBOX_KEEP + 4}`, 'newest first')
  t.equal(all.at(-1)!.body, 'message 5', 'the oldest five dropped')
})
