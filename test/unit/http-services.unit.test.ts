// The HTTP layer's services are required and checked when the app is built: a missing part fails the start,
// naming what is missing, instead of a request answering 503 later.
import t from 'tap'
import { buildApp } from '../../http/app.js'
import { checkServices, type Services } from '../../http/services.js'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'

const partial = { config: loadConfig({}, { LOG_LEVEL: 'silent' }), logger: createLogger('silent'), clock: () => new Date() }

t.test('buildApp refuses to start without its services', async (t) => {
  await t.rejects(buildApp(partial as unknown as Services), /missing services: db, store, sessions, readModels, blobs, reports, waitFor, accounts, rules/)
})

t.test('an undefined handed in counts as missing', async (t) => {
  const all = { ...partial, db: {}, store: {}, sessions: {}, readModels: {}, blobs: {}, reports: undefined, waitFor: async () => true, accounts: {}, rules: {} }
  t.throws(() => checkServices(all as unknown as Services), /missing services: reports$/)
  t.doesNotThrow(() => checkServices({ ...all, reports: {} } as unknown as Services))
})
