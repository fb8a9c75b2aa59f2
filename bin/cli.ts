// Subcommands: serve, project, export, reader, seed, migrate. Each one lives in its own module.
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

Configuration is read from the environment (DATABASE_URL, EVENTSTORE_URL, PORT, ...; see README).`

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  // everything the CLI writes (embedded database, attachments, roster files, keys) is owner-only
  process.umask(0o077)
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
        const { openRuntime } = await import('../commands/platform/runtime.js')
        const { runProjectCommand } = await import('../projections/cli.js')
        const { APP_MIGRATIONS } = await import('./app-migrations.js')
        const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
        try {
          return await runProjectCommand(args, runtime)
        } finally {
          await runtime.close()
        }
      }
      case 'export': {
        const { openRuntime } = await import('../commands/platform/runtime.js')
        const { runExportCommand } = await import('../exporter/cli.js')
        const { APP_MIGRATIONS } = await import('./app-migrations.js')
        const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
        try {
          return await runExportCommand(args, { ...runtime, config, logger })
        } finally {
          await runtime.close()
        }
      }
      case 'reader': {
        const { runReaderCommand } = await import('../reader/cli.js')
        return await runReaderCommand(args, config, logger)
      }
      case 'seed': {
        const { openRuntime } = await import('../commands/platform/runtime.js')
        const { seedDemo } = await import('../commands/seed/seed-demo.js')
        const { createFrontParts } = await import('../http/wiring.js')
        const { APP_MIGRATIONS } = await import('./app-migrations.js')
        const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
        const parts = await createFrontParts({ db: runtime.db, store: runtime.store, clock: () => new Date(), dataDir: config.DATA_DIR, logger, runProjections: true })
        try {
          const r = await seedDemo({ db: runtime.db, reports: parts.reports, accounts: parts.accounts, waitFor: parts.waitFor }, { logger, pkiDir: `${config.DATA_DIR}/pki` })
          console.log(`demo data seeded: ${r.cases} cases, ${r.cards ?? 0} demo cards (PIN 123456)${r.skipped.length ? `; not seeded: ${r.skipped.join('; ')}` : ''}`)
          return r.skipped.length ? 1 : 0
        } finally {
          await parts.close()
          await runtime.close()
        }
      }
      case 'accounts': {
        const { runAccountsCommand, ACCOUNTS_USAGE } = await import('../commands/accounts/cli.js')
        if (args[0] !== 'import' || !args[1]) {
          console.log(ACCOUNTS_USAGE)
          return args.includes('--help') || args.includes('-h') ? 0 : 2
        }
        const { openRuntime } = await import('../commands/platform/runtime.js')
        const { createFrontParts } = await import('../http/wiring.js')
        const { APP_MIGRATIONS } = await import('./app-migrations.js')
        const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
        const parts = await createFrontParts({ db: runtime.db, store: runtime.store, clock: () => new Date(), dataDir: config.DATA_DIR, logger, runProjections: true })
        try {
          const code = await runAccountsCommand(args, parts.accounts)
          await parts.waitFor(await runtime.store.headPosition())
          return code
        } finally {
          await parts.close()
          await runtime.close()
        }
      }
      case 'migrate': {
        const { openRuntime } = await import('../commands/platform/runtime.js')
        const { APP_MIGRATIONS } = await import('./app-migrations.js')
        const runtime = await openRuntime(config, logger, { extraMigrations: APP_MIGRATIONS })
        await runtime.close()
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
