// Every schema the application owns besides the event store's own: the registry (reference data) and the read models.
// `baobei migrate`, `serve`, `seed`, `project` and `export` all open the runtime with this one list, so whichever
// command runs first on a new database leaves the same complete schema.
import type { Migration } from '../commands/platform/migrations.js'
import { registryMigrations } from '../commands/registry/registry-migrations.js'
import { PROJECTION_MIGRATIONS } from '../projections/catalog.js'

export const APP_MIGRATIONS: readonly Migration[] = [...registryMigrations, ...PROJECTION_MIGRATIONS]
