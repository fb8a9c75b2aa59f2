// Issue #13: demo mode never reaches production (serve --demo refuses production settings, /dev/* answers loopback
// only, demo key files are owner-only, demo approvals never reach a roster); operator endpoints decide "loopback"
// from the socket, never from X-Forwarded-For, and need STATUS_TOKEN behind a proxy; TRUST_PROXY refuses ranges
// that trust everyone; configuration errors never print a secret; the NHI and SMS services must be HTTPS.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import { ConfigError, loadConfig, trustProxyOf } from '../../commands/platform/config.js'
import { DomainError } from '../../domain/errors.js'
import { ensureDemoPki, issueDemoCard } from '../../commands/pki/demo-pki.js'
import { assertDemoFenced } from '../../http/demo-fence.js'
import { operatorOnly } from '../../http/operator-access.js'
import { startServer } from '../../http/serve.js'
import { buildLoginApp } from '../support/login.js'
import { freshDatabase } from '../support/db.js'

/** The variable a ConfigError names, or undefined when nothing is thrown. */
const variableOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (e) {
    return (e as ConfigError).variable
  }
  return undefined
}

const base = { DATA_DIR: '/tmp/none', LOG_LEVEL: 'silent' as const, DEMO: true }

t.test('serve --demo refuses production settings, naming the variable and not its value', async (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{ DATABASE_URL: 'postgres://app:s3cret-pw@db.internal:5432/baobei' }, 'DATABASE_URL'],
    [{ SFTP_HOST: 'sftp.nhi.example' }, 'SFTP_HOST'],
    [{ TRUST_DIR: '/etc/baobei/trust' }, 'TRUST_DIR'],
    [{ SMS_GATEWAY_URL: 'https://sms.example/send' }, 'SMS_GATEWAY_URL'],
    [{ NHI_PASSWORD_URL: 'https://nhi.example/check' }, 'NHI_PASSWORD_URL'],
    [{ SMTP_URL: 'smtps://mailer:s3cret-pw@mail.example:465', NOTIFY_FROM: 'no-reply@example.tw' }, 'SMTP_URL'],
    [{ HOST: '0.0.0.0' }, 'HOST'],
  ]
  for (const [extra, variable] of cases) {
    const config = loadConfig({}, { ...base, ...extra })
    const e = await startServer(config, { signals: false, demo: true }).then(() => undefined, (x: unknown) => x)
    t.type(e, ConfigError, variable)
    t.equal((e as ConfigError).variable, variable)
    t.notMatch((e as Error).message, 's3cret-pw', 'no secret in the message')
  }
  t.equal(variableOf(() => assertDemoFenced(loadConfig({}, base), { SFTP_PASSWORD: 'x' })), 'SFTP_PASSWORD', 'any SFTP_* in the environment')
  t.doesNotThrow(() => assertDemoFenced(loadConfig({}, { ...base, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' }), {}), 'a loopback database is fine')
  t.doesNotThrow(() => assertDemoFenced(loadConfig({}, { ...base, DEMO: false, HOST: '0.0.0.0' }), {}), 'production mode is not fenced')
})

t.test('e-mail notices configured in part: serve refuses to start, naming the missing variable', async (t) => {
  const prod = { DATA_DIR: '/tmp/none', LOG_LEVEL: 'silent' as const }
  for (const [extra, variable] of [[{ SMTP_URL: 'smtp://127.0.0.1:2525' }, 'NOTIFY_FROM'], [{ NOTIFY_FROM: 'no-reply@example.tw' }, 'SMTP_URL']] as const) {
    const e = await startServer(loadConfig({}, { ...prod, ...extra }), { signals: false }).then(() => undefined, (x: unknown) => x)
    t.type(e, ConfigError)
    t.equal((e as ConfigError).variable, variable)
  }
  t.equal(variableOf(() => loadConfig({ SMTP_URL: 'http://mail.example' })), 'SMTP_URL', 'an SMTP URL is smtp:// or smtps://')
})

t.test('/dev/* answers loopback sockets only', async (t) => {
  const { app } = await buildLoginApp(t)
  t.equal((await app.inject({ url: '/dev/sms', remoteAddress: '127.0.0.1' })).statusCode, 200)
  t.equal((await app.inject({ url: '/dev/sms', remoteAddress: '203.0.113.9' })).statusCode, 403)
  t.equal((await app.inject({ url: '/dev/sms', remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode, 403)
})

t.test('demo key files are written owner-only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-pki-mode-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pki = ensureDemoPki(join(dir, 'pki'))
  issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王大明' }, { dir: pki.dir })
  const cards = join(pki.dir, 'cards')
  for (const f of readdirSync(cards)) t.equal(statSync(join(cards, f)).mode & 0o077, 0, `${f}: no group/other access`)
  for (const f of readdirSync(join(pki.dir, 'ca')).filter((x) => x.endsWith('.key.pem'))) t.equal(statSync(join(pki.dir, 'ca', f)).mode & 0o077, 0, `ca/${f}: no group/other access`)
})

async function operatorApp(trustProxy: string | undefined, token: string | undefined) {
  const config = loadConfig({}, { LOG_LEVEL: 'silent', ...(trustProxy ? { TRUST_PROXY: trustProxy } : {}) })
  const app = Fastify({ trustProxy: trustProxyOf(config) })
  app.setErrorHandler((e, _req, reply) => reply.code(e instanceof DomainError ? 403 : 500).send({}))
  app.get('/status', { onRequest: operatorOnly(token, { behindProxy: trustProxyOf(config) !== false }) }, async () => ({ ok: true }))
  await app.ready()
  return app
}

t.test('/status: loopback from the socket, never from X-Forwarded-For; behind a proxy only with STATUS_TOKEN', async (t) => {
  const direct = await operatorApp(undefined, undefined)
  t.teardown(() => direct.close())
  t.equal((await direct.inject({ url: '/status', remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode, 403)
  t.equal((await direct.inject({ url: '/status', remoteAddress: '127.0.0.1' })).statusCode, 200)

  // a proxy on this machine forwards a public client that claims to be loopback
  const proxied = await operatorApp('127.0.0.1', undefined)
  t.teardown(() => proxied.close())
  t.equal((await proxied.inject({ url: '/status', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode, 403, 'closed without a token')
  const token = 'operator-token-0123456789'
  const withToken = await operatorApp('127.0.0.1', token)
  t.teardown(() => withToken.close())
  t.equal((await withToken.inject({ url: '/status', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1' } })).statusCode, 403)
  t.equal((await withToken.inject({ url: '/status', remoteAddress: '127.0.0.1', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
})

t.test('the real server: /status and /metrics refuse a remote socket that claims loopback in X-Forwarded-For', async (t) => {
  const tdb = await freshDatabase('operator')
  t.teardown(() => tdb.drop())
  const dir = mkdtempSync(join(tmpdir(), 'bb-operator-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer(loadConfig({}, { DATABASE_URL: tdb.url, PORT: 0, HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'silent' }), { signals: false })
  t.teardown(() => server.close())
  for (const url of ['/status', '/metrics']) {
    t.equal((await server.app.inject({ url, remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode, 403, `${url}: remote`)
    t.equal((await server.app.inject({ url, remoteAddress: '127.0.0.1' })).statusCode, 200, `${url}: loopback socket`)
  }
})

t.test('configuration: TRUST_PROXY refuses catch-all ranges; secrets never printed; NHI/SMS over HTTPS', async (t) => {
  for (const v of ['0.0.0.0/0', '::/0', '0.0.0.0', '10.0.0.1, 0.0.0.0/1']) t.equal(variableOf(() => loadConfig({ TRUST_PROXY: v })), 'TRUST_PROXY', v)
  t.doesNotThrow(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.10' }))
  const secret = 'too-short-secret'
  const e = (() => { try { loadConfig({ SESSION_SECRET: secret }) } catch (x) { return x as Error } return undefined })()
  t.type(e, ConfigError)
  t.notMatch(e!.message, secret, 'the rejected secret is not printed')
  const url = (() => { try { loadConfig({ DATABASE_URL: 'mysql://app:pw-123456@db/x' }) } catch (x) { return x as Error } return undefined })()
  t.notMatch(url!.message, 'pw-123456', 'nor the password in a URL')
  t.equal(variableOf(() => loadConfig({ NHI_PASSWORD_URL: 'http://nhi.example/check' })), 'NHI_PASSWORD_URL')
  t.doesNotThrow(() => loadConfig({ NHI_PASSWORD_URL: 'http://127.0.0.1:8088/check' }), 'http:// to this machine is allowed (a sidecar)')
  t.equal(variableOf(() => loadConfig({ SMS_GATEWAY_URL: 'http://sms.example/send' })), 'SMS_GATEWAY_URL')
  t.doesNotThrow(() => loadConfig({ SMS_GATEWAY_URL: 'http://127.0.0.1:9/send', DEMO: 'true' }), 'plain HTTP in demo mode')
})
