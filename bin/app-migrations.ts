// Every schema the application owns besides the event store's own: the registry (reference data), the read models
// the login tables (credentials and lock-out state), the batch upload jobs and the decision notifier's delivery state.
// `baobei migrate`, `serve`, `seed`, `project` and `export` all open the runtime with this one list, so whichever
// command runs first on a new database leaves the same complete schema.
import type { Migration } from '../commands/platform/migrations.js'
import { registryMigrations } from '../commands/registry/registry-migrations.js'
import { legacyMigrations } from '../commands/legacy/legacy-migrations.js'
import { PROJECTION_MIGRATIONS } from '../projections/catalog.js'
import { loginMigrations } from '../http/auth/login-migrations.js'
import { progressMigrations } from '../http/public/progress-limit.js'
import { batchMigrations } from '../http/batch/jobs.js'
import { notifyMigrations } from '../http/notify/notify-migrations.js'

export const APP_MIGRATIONS: readonly Migration[] = [...registryMigrations, ...legacyMigrations, ...PROJECTION_MIGRATIONS, ...loginMigrations, ...progressMigrations, ...batchMigrations, ...notifyMigrations]
