// A connection PostgreSQL refuses for want of slots (53300) or while starting (57P03) is tried again within a bound;
// any other error is thrown at once, since a statement may have run.
import t from 'tap'
import { retryRefusedConnect } from '../../commands/platform/connect-retry.js'

const refused = (code: string) => Object.assign(new Error(`refused ${code}`), { code })
const retry = { withinMs: 300, firstWaitMs: 5, maxWaitMs: 20 }

t.test('refusals at connect are tried again until the attempt succeeds', async (t) => {
  let calls = 0
  const r = await retryRefusedConnect(async () => {
    calls++
    if (calls === 1) throw refused('53300')
    if (calls === 2) throw refused('57P03')
    return 'row'
  }, retry)
  t.equal(r, 'row')
  t.equal(calls, 3)
})

t.test('any other error is thrown at once, tried once', async (t) => {
  for (const e of [Object.assign(new Error('no table'), { code: '42P01' }), Object.assign(new Error('deadlock'), { code: '40P01' }), new Error('socket hang up')]) {
    let calls = 0
    await t.rejects(retryRefusedConnect(async () => {
      calls++
      throw e
    }, retry), e)
    t.equal(calls, 1, String(e.message))
  }
})

t.test('past the bound the refusal is the answer', async (t) => {
  let calls = 0
  const t0 = Date.now()
  await t.rejects(retryRefusedConnect(async () => {
    calls++
    throw refused('53300')
  }, retry), { code: '53300' })
  const ms = Date.now() - t0
  t.ok(calls > 3, `tried ${calls} times`)
  t.ok(ms <= 300 + 50, `gave up within the bound (${ms} ms)`)
})
