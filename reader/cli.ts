// `baobei reader [--pkcs11 MODULE.so] [--virtual[=auto|pcscd|inprocess]] [--port N] [--origin URL] [--insert CARD[,CARD]]`:
// runs the local card-reader agent until SIGINT/SIGTERM. --pkcs11 signs through that PKCS#11 module (HiCOS, OpenSC, a
// government card's middleware) and keeps PC/SC for NHI cards. --virtual also serves the demo virtual cards (the demo PKI under
// DATA_DIR/pki): plugged into pcscd's vpcd slots when pcscd + vpcd + pcsclite are there (the default, 'auto'), else
// (or with --virtual=inprocess) in-process virtual readers with no pcscd at all. By default slot 0 gets the first NHI
// card and slot 1 the first professional card; --insert picks others by id, e.g.
// --insert nhi-A123456789,institution-0163010001.
import { join } from 'node:path'
import type { Config } from '../commands/platform/config.js'
import { signableOrigin } from '../domain/card/login-payload.js'
import { startReaderAgent, type AgentLogger } from './agent.js'
import type { CardBackend } from './card-protocol.js'
import { openPkcs11Backend, withNhiCards } from './pkcs11-backend.js'
import type { VirtualCardRack } from './virtual/rack.js'
import { openPcscBackend, openVirtualCards, VIRTUAL_MODES, type VirtualMode } from './virtual/setup.js'

export interface ReaderArgs {
  virtual: false | VirtualMode
  /** Path of a PKCS#11 module: cards sign through it. */
  pkcs11?: string
  port?: number
  origins: string[]
  insert: string[]
}

export function parseReaderArgs(args: string[]): ReaderArgs {
  const out: ReaderArgs = { virtual: false, origins: [], insert: [] }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined]
    const value = () => {
      const v = inline ?? args[++i]
      if (v === undefined) throw new Error(`${flag} needs a value`)
      return v
    }
    if (flag === '--virtual') {
      const mode = (inline ?? 'auto') as VirtualMode
      if (!VIRTUAL_MODES.includes(mode)) throw new Error(`--virtual: expected one of ${VIRTUAL_MODES.join(', ')}, got ${inline}`)
      out.virtual = mode
    } else if (flag === '--port') {
      const v = value()
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--port: not a port number: ${v}`)
      out.port = Number(v)
    } else if (flag === '--origin') {
      const v = value()
      if (!/^https?:\/\/[^/]+$/.test(v.replace(/\/+$/, ''))) throw new Error(`--origin: expected scheme://host[:port], got ${v}`)
      if (!signableOrigin(v.replace(/\/+$/, ''))) throw new Error(`--origin: ${v} is neither https nor a loopback http origin`)
      out.origins.push(v.replace(/\/+$/, ''))
    } else if (flag === '--insert') out.insert.push(...value().split(',').filter(Boolean))
    else if (flag === '--pkcs11') out.pkcs11 = value()
    else if (flag === '--demo') continue // accepted for symmetry with `serve --demo`
    else throw new Error(`unknown option ${a}`)
  }
  if (out.pkcs11 && out.virtual) throw new Error('--pkcs11 and --virtual cannot be combined')
  return out
}

export function defaultOrigins(config: Pick<Config, 'SITE_ORIGIN' | 'PORT'>): string[] {
  if (config.SITE_ORIGIN) return [config.SITE_ORIGIN.replace(/\/+$/, '')]
  return [`http://127.0.0.1:${config.PORT}`, `http://localhost:${config.PORT}`]
}

/** Plugs the chosen (or default) virtual cards in, slot by slot. */
export async function insertDefaultCards(rack: VirtualCardRack, wanted: string[]): Promise<void> {
  const ids = rack.catalogue().map((c) => c.id)
  const chosen = wanted.length
    ? wanted
    : [ids.find((id) => id.startsWith('nhi-')), ids.find((id) => id.startsWith('professional-'))].filter((x): x is string => Boolean(x))
  for (const [slot, id] of chosen.slice(0, rack.slots().length).entries()) await rack.insert(slot, id)
}

export async function runReaderCommand(args: string[], config: Config, logger: AgentLogger): Promise<number> {
  let parsed: ReaderArgs
  try {
    parsed = parseReaderArgs(args)
  } catch (e) {
    console.error(`baobei reader: ${(e as Error).message}`)
    return 2
  }
  let backend: CardBackend
  let rack: VirtualCardRack | undefined
  let closeCards: () => Promise<void>
  let how = ''
  if (parsed.virtual) {
    try {
      const v = await openVirtualCards(parsed.virtual, join(config.DATA_DIR, 'pki'), { logger })
      ;({ backend, rack } = v)
      closeCards = v.close
      how = v.mode === 'pcscd' ? ' (virtual cards in pcscd/vpcd)' : ` (virtual cards in-process${v.fallbackReason ? `: ${v.fallbackReason}` : ''})`
    } catch (e) {
      console.error(`baobei reader: ${(e as Error).message}`)
      return 1
    }
    try {
      await insertDefaultCards(rack, parsed.insert)
    } catch (e) {
      await closeCards()
      console.error(`baobei reader: ${(e as Error).message}`)
      return 1
    }
    logger.info({ slots: rack.slots(), cards: rack.catalogue().map((c) => c.id) }, 'virtual cards ready')
  } else if (parsed.pkcs11) {
    let pki: CardBackend
    try {
      pki = openPkcs11Backend(parsed.pkcs11, { logger })
    } catch (e) {
      console.error(`baobei reader: ${(e as Error).message}`)
      return 1
    }
    const { backend: nhi } = openPcscBackend(logger)
    backend = withNhiCards(pki, nhi)
    closeCards = () => backend.close()
    how = ` (PKCS#11 module ${parsed.pkcs11}; NHI cards over PC/SC)`
  } else {
    const { pcsc, backend: b } = openPcscBackend(logger)
    pcsc.on('reader-added', (name: string) => logger.info({ reader: name }, 'reader connected'))
    pcsc.on('reader-removed', (name: string) => logger.info({ reader: name }, 'reader disconnected'))
    pcsc.on('card-inserted', (name: string) => logger.info({ reader: name }, 'card inserted'))
    pcsc.on('card-removed', (name: string) => logger.info({ reader: name }, 'card removed'))
    backend = b
    closeCards = () => b.close()
  }
  const agent = await startReaderAgent({
    backend,
    origin: parsed.origins.length ? parsed.origins : defaultOrigins(config),
    port: parsed.port ?? config.READER_PORT,
    logger,
    ...(rack ? { rack } : {}),
  })
  console.log(`reader agent on ${agent.url}${how}`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await agent.close()
  await closeCards()
  return 0
}
