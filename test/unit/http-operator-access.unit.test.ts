// /status and /metrics: loopback callers pass; other hosts only with the bearer STATUS_TOKEN.
import t from 'tap'
import Fastify from 'fastify'
import { DomainError } from '../../domain/errors.js'
import { isLoopback, operatorOnly } from '../../http/operator-access.js'

async function appWith(token: string | undefined) {
  const app = Fastify()
  app.setErrorHandler((e, _req, reply) => reply.code(e instanceof DomainError ? 403 : 500).send({ code: (e as DomainError).code }))
  app.get('/status', { onRequest: operatorOnly(token) }, async () => ({ ok: true, secret: 'sftp.example:22' }))
  await app.ready()
  return app
}

t.test('loopback addresses', async (t) => {
  for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) t.ok(isLoopback(ip), ip)
  for (const ip of ['10.0.0.5', '192.168.1.1', '::ffff:10.0.0.1', '1.127.0.0', '']) t.notOk(isLoopback(ip), ip || '(empty)')
})

t.test('without STATUS_TOKEN: loopback only', async (t) => {
  const app = await appWith(undefined)
  t.teardown(() => app.close())
  t.equal((await app.inject({ url: '/status', remoteAddress: '127.0.0.1' })).statusCode, 200)
  const far = await app.inject({ url: '/status', remoteAddress: '10.0.0.5', headers: { authorization: 'Bearer anything-at-all-here' } })
  t.equal(far.statusCode, 403)
  t.notMatch(far.body, 'sftp.example', 'no detail to another host')
})

t.test('with STATUS_TOKEN: another host needs the exact bearer token', async (t) => {
  const token = 'operator-token-0123456789'
  const app = await appWith(token)
  t.teardown(() => app.close())
  t.equal((await app.inject({ url: '/status', remoteAddress: '10.0.0.5', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  t.equal((await app.inject({ url: '/status', remoteAddress: '10.0.0.5', headers: { authorization: `Bearer ${token}x` } })).statusCode, 403)
  t.equal((await app.inject({ url: '/status', remoteAddress: '10.0.0.5', headers: { authorization: token } })).statusCode, 403, 'the Bearer scheme is required')
  t.equal((await app.inject({ url: '/status', remoteAddress: '10.0.0.5' })).statusCode, 403)
  t.equal((await app.inject({ url: '/status', remoteAddress: '::1' })).statusCode, 200, 'loopback still needs no token')
})

t.test('behind a trusted proxy the forwarded client address counts; from anyone else the header is ignored', async (t) => {
  const { trustProxyOf, loadConfig } = await import('../../commands/platform/config.js')
  const app = Fastify({ trustProxy: trustProxyOf(loadConfig({ TRUST_PROXY: '10.0.0.1' })) || false })
  app.get('/ip', async (request) => ({ ip: request.ip }))
  await app.ready()
  t.teardown(() => app.close())
  const viaProxy = await app.inject({ url: '/ip', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.equal(viaProxy.json().ip, '203.0.113.7', 'the client behind the named proxy')
  const spoofed = await app.inject({ url: '/ip', remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '127.0.0.1' } })
  t.equal(spoofed.json().ip, '198.51.100.9', 'a client cannot claim to be loopback by a header')
})
