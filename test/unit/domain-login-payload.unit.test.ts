import t from 'tap'
import { LOGIN_PAYLOAD_PREFIX, loginPayload, signableOrigin, siteOrigins } from '../../domain/card/login-payload.js'

const challenge = Buffer.alloc(32, 0xab)

t.test('the exact byte layout: prefix, purpose, origin, 32 challenge bytes', async (t) => {
  const p = loginPayload({ origin: 'https://baobei.example.tw', challenge })
  const head = 'BAOBEI-CARD-SIGN/1\nlogin\nhttps://baobei.example.tw\n'
  t.equal(LOGIN_PAYLOAD_PREFIX, 'BAOBEI-CARD-SIGN/1\n')
  t.equal(p.length, head.length + 32)
  t.equal(p.subarray(0, head.length).toString('ascii'), head)
  t.same(p.subarray(head.length), challenge)
  t.equal(loginPayload({ origin: 'http://127.0.0.1:3000', challenge }).subarray(25, 47).toString('ascii'), 'http://127.0.0.1:3000\n')
})

t.test('only https origins, or http on a loopback host, are signable', async (t) => {
  for (const ok of ['https://baobei.example.tw', 'https://x.tw:8443', 'http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) {
    t.equal(signableOrigin(ok), ok, ok)
  }
  for (const bad of ['http://baobei.example.tw', 'http://10.0.0.1:3000', 'https://x.tw/path', 'https://u:p@x.tw', 'ftp://x.tw', 'null', '', 'https://X.TW/']) {
    t.equal(signableOrigin(bad), bad === 'https://X.TW/' ? 'https://x.tw' : undefined, `refused: ${bad}`)
  }
  t.throws(() => loginPayload({ origin: 'http://evil.example', challenge }), { code: 'ORIGIN_NOT_SIGNABLE' })
})

t.test('free-form data is not a login payload: 32-byte challenge and a known purpose only', async (t) => {
  t.throws(() => loginPayload({ origin: 'https://x.tw', challenge: Buffer.alloc(31) }), { code: 'VALIDATION_FAILED' })
  t.throws(() => loginPayload({ origin: 'https://x.tw', challenge: Buffer.alloc(64) }), { code: 'VALIDATION_FAILED' })
  t.throws(() => loginPayload({ origin: 'https://x.tw', challenge, purpose: 'pay' as 'login' }), { code: 'VALIDATION_FAILED' })
})

t.test('site origins: SITE_ORIGIN, else the listening origin and its loopback twin', async (t) => {
  t.same(siteOrigins('http://127.0.0.1:3000', 'https://baobei.example.tw/'), ['https://baobei.example.tw'])
  t.same(siteOrigins('http://127.0.0.1:4000'), ['http://127.0.0.1:4000', 'http://localhost:4000'])
})
