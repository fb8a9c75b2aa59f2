// Subcommands: serve, project, export, reader, seed, migrate, registry, import, accounts. Each one lives in its own module.
// Every subcommand answers --help with its usage before anything is opened (no configuration, no database).
import { ConfigError, loadConfig, type Config } from '../commands/platform/config.js'
import { createLogger } from '../commands/platform/logger.js'

const USAGE = `baobei — 報備支援系統

Usage:
  baobei serve [--demo] [--no-projections]   start the web server (projections run in-process unless told not to)
        [--no-reader] [--virtual=MODE]        --demo also starts the reader agent with virtual demo cards
                                              (MODE inprocess (default) | pcscd | auto) and the 示範讀卡機 page /dev/cards
  baobei project [--rebuild NAME] [--status]  run the projection runner, or rebuild one projection beside the live one
  baobei export --day <yyyMMdd> --out <dir>   write day D's NHI roster file
  baobei export --deliver                     generate and deliver every day not yet delivered, up to yesterday
  baobei export --resend --day <yyyMMdd>      send day D again as the next sequence number
  baobei export --verify <file>               check a roster file (widths, codes, counts, SHA-256)
  baobei reader [--pkcs11 MODULE.so | --virtual[=auto|pcscd|inprocess]] [--port N] [--origin URL] [--insert CARD,...]
                                              the local card-reader agent (--pkcs11: sign through that PKCS#11
                                              module, NHI cards over PC/SC; --virtual: demo cards; in-process
                                              when pcscd + vpcd + pcsclite are not there)
  baobei accounts import FILE                 import staff accounts from CSV (UTF-8 or Big5; idempotent)
  baobei seed                                 load demo reference data and demo cases (idempotent)
  baobei migrate                              create or update the database schema
  baobei registry import --professionals F --institutions F [--full|--delta] [--dry-run]
                                              load the 醫事管理系統 registry feed (see baobei registry --help)
  baobei import legacy FILE [--dry-run] [--report OUT]
  baobei import legacy-decisions FILE         migrate the old system's cases and its later decisions
Every command answers --help.

Configuration is read from the environment (DATABASE_URL, EVENTSTORE_URL, PORT, ...; see README).`

const SERVE_USAGE = `Usage: baobei serve [--demo] [--no-projections] [--no-reader] [--virtual=inprocess|pcscd|auto]
  start the web server; projections and the daily export run in-process unless told not to.
  --demo            demo data, virtual cards and the 示範讀卡機 page /dev/cards
  --no-projections  run \`baobei project\` separately
  --no-reader       do not start the reader agent
  --virtual=MODE    where the demo's virtual cards go (inprocess (default) | pcscd | auto)`

const SEED_USAGE = `Usage: baobei seed
  load the demo reference data (as registry events marked demo: they never overwrite a real entry), demo cards
  (PIN 123456) and demo cases. Idempotent.`

const MIGRATE_USAGE = `Usage: baobei migrate
  create or update the whole database schema (event store, registry, projections, login).`

const READER_USAGE = `Usage: baobei reader [--virtual[=auto|pcscd|inprocess]] [--port N] [--origin URL] [--insert CARD,...]
  the local card-reader agent (PC/SC), on 127.0.0.1 only, answering only the site origin.
  --virtual[=MODE]  also serve the demo virtual cards (auto: through pcscd + vpcd when there, else in-process)
  --port N          listen port (default READER_PORT, 7443)
  --origin URL      the site origin the agent answers (repeatable; default SITE_ORIGIN)
  --insert CARD,... which demo cards sit in the virtual readers, e.g. nhi-A123456789,institution-0163010001`

/** Usage of each subcommand (loaded lazily where it lives in the subcommand's module). */
async function usageOf(command: string): Promise<string | undefined> {
  switch (command) {
    case 'serve': return SERVE_USAGE
    case 'seed': return SEED_USAGE
    case 'migrate': return MIGRATE_USAGE
    case 'reader': return READER_USAGE
    case 'project': return `Usage:\n${(await import('../projections/cli.js')).PROJECT_USAGE}`
    case 'export': return (await import('../exporter/cli.js')).EXPORT_USAGE
    case 'registry': return (await import('../commands/registry/cli.js')).REGISTRY_USAGE
    case 'import': return (await import('../commands/legacy/cli.js')).IMPORT_USAGE
    default: return undefined
  }
}

type Runtime = import('../commands/platform/runtime.js').Runtime
type FrontParts = Awaited<ReturnType<(typeof import('../http/wiring.js'))['createFrontParts']>>

/** Runs `work` on the runtime (event store, database, every schema migration), closed afterwards whatever happens. */
async function withRuntime<T>(config: Config, logger: ReturnType<typeof createLogger>, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const { openRuntime } = await import('../commands/platform/runtime.js')
  const { APP_MIGRATIONS } = await import('./app-migrations.js')
  const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
  try {
    return await work(runtime)
  } finally {
    await runtime.close()
  }
}

/** The same with the application's parts (services, projections running), for commands that go through them. */
const withFrontParts = <T>(config: Config, logger: ReturnType<typeof createLogger>, work: (parts: FrontParts, runtime: Runtime) => Promise<T>): Promise<T> =>
  withRuntime(config, logger, async (runtime) => {
    const { createFrontParts } = await import('../http/wiring.js')
    const parts = await createFrontParts({ db: runtime.db, store: runtime.store, clock: () => new Date(), dataDir: config.DATA_DIR, logger, runProjections: true })
    try {
      return await work(parts, runtime)
    } finally {
      await parts.close()
    }
  })

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  // everything the CLI writes (embedded database, attachments, roster files, keys) is owner-only
  process.umask(0o077)
  if (args.includes('--help') || args.includes('-h')) {
    const usage = await usageOf(command)
    if (usage === undefined) {
      console.error(`unknown command: ${command}\n\n${USAGE}`)
      return 1
    }
    console.log(usage)
    return 0
  }
  if (command === 'export' && args.some((a) => a === '--verify' || a.startsWith('--verify='))) {
    // checks a file only: no configuration, no database
    const { runExportCommand } = await import('../exporter/cli.js')
    try {
      return await runExportCommand(args, { logger: createLogger('silent') } as never)
    } catch (e) {
      console.error(`baobei export: ${(e as Error).message}`)
      return 1
    }
  }
  let config: Config
  try {
    config = loadConfig(process.env, args.includes('--demo') ? { DEMO: true } : {})
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message)
      return 2
    }
    throw e
  }
  const logger = createLogger(config.LOG_LEVEL)
  try {
    switch (command) {
      case 'serve': {
        const { startServer } = await import('../http/serve.js')
        const virtual = args.find((a) => a.startsWith('--virtual='))?.slice('--virtual='.length)
        if (virtual !== undefined && !['inprocess', 'pcscd', 'auto'].includes(virtual)) {
          console.error(`baobei serve: --virtual: expected inprocess, pcscd or auto, got ${virtual}`)
          return 2
        }
        await startServer(config, {
          logger,
          projections: !args.includes('--no-projections'),
          demo: config.DEMO,
          reader: !args.includes('--no-reader'),
          ...(virtual ? { readerMode: virtual as 'inprocess' | 'pcscd' | 'auto' } : {}),
          banner: true,
        })
        return await new Promise<number>(() => {}) // runs until a signal
      }
      case 'project': {
        const { runProjectCommand } = await import('../projections/cli.js')
        return await withRuntime(config, logger, (runtime) => runProjectCommand(args, runtime))
      }
      case 'export': {
        const { runExportCommand } = await import('../exporter/cli.js')
        return await withRuntime(config, logger, (runtime) => runExportCommand(args, { ...runtime, config, logger }))
      }
      case 'reader': {
        const { runReaderCommand } = await import('../reader/cli.js')
        return await runReaderCommand(args, config, logger)
      }
      case 'seed': {
        const { seedDemo } = await import('../commands/seed/seed-demo.js')
        return await withFrontParts(config, logger, async (parts, runtime) => {
          const r = await seedDemo({ db: runtime.db, reports: parts.reports, accounts: parts.accounts, waitFor: parts.waitFor }, { logger, pkiDir: `${config.DATA_DIR}/pki` })
          console.log(`demo data seeded: ${r.cases} cases, ${r.cards ?? 0} demo cards (PIN 123456)${r.skipped.length ? `; not seeded: ${r.skipped.join('; ')}` : ''}`)
          return r.skipped.length ? 1 : 0
        })
      }
      case 'accounts': {
        const { runAccountsCommand, ACCOUNTS_USAGE } = await import('../commands/accounts/cli.js')
        if (args[0] !== 'import' || !args[1]) {
          console.log(ACCOUNTS_USAGE)
          return args.includes('--help') || args.includes('-h') ? 0 : 2
        }
        return await withFrontParts(config, logger, async (parts, runtime) => {
          const code = await runAccountsCommand(args, parts.accounts)
          await parts.waitFor(await runtime.store.headPosition())
          return code
        })
      }
      case 'registry': {
        const { runRegistryCommand } = await import('../commands/registry/cli.js')
        // --staff: staff are accounts, imported by the accounts import (which needs the application's parts)
        if (args.some((a) => a === '--staff' || a.startsWith('--staff='))) {
          const { staffImporter } = await import('../commands/accounts/cli.js')
          return await withFrontParts(config, logger, async (parts, runtime) => {
            const code = await runRegistryCommand(args, runtime.db, undefined, undefined, { importStaff: staffImporter(parts.accounts), referenceAt: parts.rules.referenceAt })
            await parts.waitFor(await runtime.store.headPosition())
            return code
          })
        }
        // codes are checked against the reference lists in force on the as-of day (versioned data, commands/rules)
        const { createRulesService } = await import('../commands/rules/rules-service.js')
        return await withRuntime(config, logger, (runtime) => runRegistryCommand(args, runtime.db, undefined, undefined, { referenceAt: createRulesService({ store: runtime.store }).referenceAt }))
      }
      case 'import': {
        const { runImportCommand } = await import('../commands/legacy/cli.js')
        return await withRuntime(config, logger, (runtime) => runImportCommand(args, runtime))
      }
      case 'migrate': {
        await withRuntime(config, logger, async () => undefined)
        console.log('schema up to date')
        return 0
      }
      default:
        console.error(`unknown command: ${command}\n\n${USAGE}`)
        return 1
    }
  } catch (e) {
    logger.error({ err: e }, `baobei ${command} failed`)
    console.error(`baobei ${command}: ${(e as Error).message}`)
    return 1
  }
}
