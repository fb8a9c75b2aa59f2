// The reader agent inside `baobei serve --demo`: virtual cards (in-process by default: no pcscd, no pcsclite, and
// the machine-wide vpcd slots stay free), answering the site's origin(s). When the agent port is already taken —
// a real `baobei reader` is running — nothing is started and the site uses that agent.
import { startReaderAgent, type AgentLogger, type ReaderAgent } from './agent.js'
import { insertDefaultCards } from './cli.js'
import type { VirtualCardRack } from './virtual/rack.js'
import { openVirtualCards, type VirtualMode } from './virtual/setup.js'

export interface EmbeddedAgent {
  agent: ReaderAgent
  rack: VirtualCardRack
  mode: 'pcscd' | 'inprocess'
  close(): Promise<void>
}

export interface EmbeddedAgentOptions {
  pkiDir: string
  /** 0 = any free port. */
  port: number
  /** The site's origins, asked at each request (the site may learn its port after the agent started). */
  origins: () => Iterable<string>
  logger?: AgentLogger
  /** Default 'inprocess'. */
  mode?: VirtualMode
}

/** Starts the agent with the demo cards (an NHI card in slot 0, a professional card in slot 1), or returns undefined when the port is taken. */
export async function startEmbeddedAgent(opts: EmbeddedAgentOptions): Promise<EmbeddedAgent | undefined> {
  const cards = await openVirtualCards(opts.mode ?? 'inprocess', opts.pkiDir, opts.logger ? { logger: opts.logger } : {})
  try {
    await insertDefaultCards(cards.rack, [])
    const agent = await startReaderAgent({ backend: cards.backend, origin: opts.origins, port: opts.port, rack: cards.rack, ...(opts.logger ? { logger: opts.logger } : {}) })
    return {
      agent,
      rack: cards.rack,
      mode: cards.mode,
      async close() {
        await agent.close()
        await cards.close()
      },
    }
  } catch (e) {
    await cards.close()
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      opts.logger?.info({ port: opts.port }, 'the reader agent port is taken: using the agent already running there')
      return undefined
    }
    throw e
  }
}

/** The origins a site is reached by (one rule, in domain/card/login-payload.ts). */
export { siteOrigins } from '../domain/card/login-payload.js'
