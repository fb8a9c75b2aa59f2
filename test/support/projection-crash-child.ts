// Child process of the projection crash test: runs the projection runner against DATABASE_URL until killed.
// Prints 'started' once subscribed. `node --import tsx test/support/projection-crash-child.ts <url> [batchSize]`
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../../commands/platform/postgres-database.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createProjectionRunner } from '../../projections/runner.js'

const url = process.argv[2]
if (!url) throw new Error('usage: projection-crash-child.ts <database url> [batchSize]')
const db = createPostgresDatabase(url, { max: 8, applicationName: 'projection-crash-child' })
const store = createPostgresEventStore(db, { pollIntervalMs: 20 })
const runner = createProjectionRunner({ db, store, projections: PROJECTIONS, batchSize: Number(process.argv[3] ?? 50) })
await runner.start()
process.stdout.write('started\n')
setInterval(() => {}, 1 << 30)
