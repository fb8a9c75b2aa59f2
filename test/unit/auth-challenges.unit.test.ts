import t from 'tap'
import { CHALLENGE_BYTES, createMemoryChallengeStore } from '../../http/auth/challenges.js'

const clock = () => {
  let now = new Date('2025-03-01T00:00:00Z').getTime()
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) }
}

t.test('a challenge is 32 random bytes, valid 2 minutes, used once', async (t) => {
  const c = clock()
  const store = createMemoryChallengeStore({ now: c.now })
  const a = await store.issue('s1')
  const b = await store.issue('s1')
  t.not(a.challenge, b.challenge)
  t.equal(Buffer.from(a.challenge, 'base64').length, CHALLENGE_BYTES)
  t.equal(a.expiresAt.toISOString(), '2025-03-01T00:02:00.000Z')
  c.advance(119_000)
  t.same(await store.consume('s1', a.challenge), Buffer.from(a.challenge, 'base64'))
  await t.rejects(store.consume('s1', a.challenge), { code: 'CHALLENGE_INVALID' }, 'replay refused')
})

t.test('expired challenges are refused and gone', async (t) => {
  const c = clock()
  const store = createMemoryChallengeStore({ now: c.now })
  const a = await store.issue('s1')
  c.advance(120_000)
  await t.rejects(store.consume('s1', a.challenge), { code: 'CHALLENGE_EXPIRED' })
  await t.rejects(store.consume('s1', a.challenge), { code: 'CHALLENGE_INVALID' })
})

t.test('a challenge is bound to its session', async (t) => {
  const store = createMemoryChallengeStore({ now: clock().now })
  const a = await store.issue('s1')
  await t.rejects(store.consume('s2', a.challenge), { code: 'CHALLENGE_INVALID' })
  t.equal((await store.consume('s1', a.challenge)).length, 32, 'still usable by its own session')
  await t.rejects(store.consume('s1', 'AAAA'), { code: 'CHALLENGE_INVALID' })
})

t.test('outstanding challenges per session are bounded', async (t) => {
  const store = createMemoryChallengeStore({ now: clock().now, maxPerSession: 2 })
  const a = await store.issue('s1')
  const b = await store.issue('s1')
  const c = await store.issue('s1')
  await t.rejects(store.consume('s1', a.challenge), { code: 'CHALLENGE_INVALID' })
  t.ok(await store.consume('s1', b.challenge))
  t.ok(await store.consume('s1', c.challenge))
})
