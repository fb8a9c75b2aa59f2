// `baobei project`: run the projection runner, show status or metrics, or rebuild projections beside the live ones.
import type { Database } from '../commands/platform/database.js'
import type { Logger } from '../commands/platform/logger.js'
import type { EventStore } from '../commands/event-store/port.js'
import { migrateProjections, ensureProjection } from './catalog.js'
import { PROJECTIONS } from './read-models/all.js'
import { createProjectionRunner } from './runner.js'
import { getLag, renderMetrics, statusObject } from './status.js'
import { rebuildRegistry } from '../commands/registry/registry-projection.js'

/**
 * The registry read model is projected with its events, in their transaction (commands/registry/registry-projection.ts),
 * not by the runner; `--rebuild registry` (and `all`) replays it from the registry events like `baobei registry rebuild`.
 */
const REGISTRY = 'registry'

export const PROJECT_USAGE = `baobei project                 run every projection until SIGINT/SIGTERM
baobei project --status        print the projections' lag and versions (JSON)
baobei project --metrics       print the lag as Prometheus text
baobei project --rebuild NAME  build NAME's next version beside the live one, switch, drop the old (NAME or all;
                               registry: replay the registry tables from the registry events)
baobei project --list          print the projection names`

export interface ProjectRuntime {
  db: Database
  store: EventStore
  logger?: Logger
}

export interface ProjectCliIo {
  out: (text: string) => void
  err: (text: string) => void
  /** Resolves when the process is asked to stop (default: SIGINT or SIGTERM). */
  untilStopped?: Promise<unknown>
}

const defaultIo = (): ProjectCliIo => ({
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
})

const signals = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })

/** Returns the process exit code. `args` are the words after `project`. */
export async function runProjectCommand(args: readonly string[], runtime: ProjectRuntime, io: ProjectCliIo = defaultIo()): Promise<number> {
  const { db, store, logger } = runtime
  const runner = createProjectionRunner({ db, store, projections: PROJECTIONS, ...(logger ? { logger } : {}) })
  if (args.includes('--help') || args.includes('-h')) {
    io.out(PROJECT_USAGE)
    return 0
  }
  if (args.includes('--list')) {
    io.out([...PROJECTIONS.map((p) => p.name), REGISTRY].join('\n'))
    return 0
  }
  if (args.includes('--status') || args.includes('--metrics')) {
    await migrateProjections(db)
    for (const p of PROJECTIONS) await ensureProjection(db, p)
    const lags = await getLag(db, store)
    io.out(args.includes('--metrics') ? renderMetrics(lags) : JSON.stringify(statusObject(lags), null, 2))
    return 0
  }
  const i = args.indexOf('--rebuild')
  if (i >= 0) {
    const name = args[i + 1]
    const names = name === 'all' ? [...PROJECTIONS.map((p) => p.name), REGISTRY] : name ? [name] : []
    const unknown = names.filter((n) => n !== REGISTRY && !PROJECTIONS.some((p) => p.name === n))
    if (names.length === 0 || unknown.length) {
      io.err(`未知的投影名稱（unknown projection）: ${unknown.join(', ') || '(none given)'}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}, ${REGISTRY}, all`)
      return 2
    }
    // all of them at once: one read of the log for every projection being rebuilt
    const runnerNames = names.filter((n) => n !== REGISTRY)
    if (runnerNames.length) {
      for (const r of await runner.rebuildMany(runnerNames)) {
        io.out(`${r.name}: v${r.fromVersion} → v${r.toVersion}, ${r.events} events in ${r.ms} ms (${Math.round((r.events * 1000) / Math.max(1, r.ms))} events/s)`)
      }
    }
    if (names.includes(REGISTRY)) {
      const t0 = Date.now()
      const r = await rebuildRegistry(db)
      io.out(`${REGISTRY}: rebuilt from ${r.events} events in ${Date.now() - t0} ms`)
    }
    return 0
  }
  if (args.some((a) => a.startsWith('--') && a !== '--demo')) {
    io.err(PROJECT_USAGE)
    return 2
  }
  await runner.start()
  logger?.info({ projections: PROJECTIONS.map((p) => p.name) }, 'projection runner started')
  await (io.untilStopped ?? signals())
  await runner.stop()
  return 0
}
