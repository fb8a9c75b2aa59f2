import { taipeiDate } from '../domain/roc-date.js'
import { generateCases } from '../test/support/data-generator.js'
import { benchDatabase } from './lib/env.js'
import { bulkLoad } from './lib/load.js'
const decisions = Number(process.argv[2] ?? 20000)
const env = await benchDatabase('exportkeep')
const day = '2025-03-03'
let approvals = 0
const cases = generateCases({ seed: 20240301 + 5, decisionDay: day, cases: Math.ceil(decisions / 1.17) })
await bulkLoad(env.db, cases, { onCase: (c) => { for (const x of c.commands) for (const e of x.events) if (taipeiDate(e.meta.occurredAt) === day && /Approved$/.test(e.type)) approvals++ } })
await env.db.exec('VACUUM ANALYZE events')
console.log(env.url, approvals)
await env.db.close()
process.exit(0)
