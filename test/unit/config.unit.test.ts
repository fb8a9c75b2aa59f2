import t from 'tap'
import { loadConfig, trustProxyOf } from '../../commands/platform/config.js'

t.test('defaults with no environment', async (t) => {
  const c = loadConfig({})
  t.equal(c.PORT, 3000)
  t.equal(c.DATABASE_URL, undefined)
  t.equal(c.DATA_DIR, './data')
})

t.test('a bad value names the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'abc' }), { name: 'ConfigError', variable: 'PORT' })
  t.throws(() => loadConfig({ PORT: '70000' }), { name: 'ConfigError', variable: 'PORT' })
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), { name: 'ConfigError', variable: 'DATABASE_URL' })
  t.throws(() => loadConfig({ DEMO: 'maybe' }), { name: 'ConfigError', variable: 'DEMO' })
})

t.test('good values are typed', async (t) => {
  const c = loadConfig({ PORT: '8080', DEMO: 'true', DATABASE_URL: 'postgres://u@h/db' })
  t.equal(c.PORT, 8080)
  t.equal(c.DEMO, true)
  t.equal(c.DATABASE_URL, 'postgres://u@h/db')
})

t.test('TRUST_PROXY: a list of proxy addresses or CIDRs; anything else stops start-up naming it', async (t) => {
  t.same(trustProxyOf(loadConfig({})), false, 'unset: the socket address')
  t.same(trustProxyOf(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })), ['10.0.0.0/8', '127.0.0.1'])
  t.same(trustProxyOf(loadConfig({ TRUST_PROXY: '::1' })), ['::1'])
  for (const bad of ['true', 'nonsense', '1']) t.throws(() => loadConfig({ TRUST_PROXY: bad }), /Configuration error in TRUST_PROXY/, bad)
})
