// Choosing and opening the card backend of an agent with virtual cards:
//   'pcscd'     the virtual cards go into pcscd through vsmartcard-vpcd, the agent reads them with pcsclite (as it
//               reads real readers); needs pcsclite built and pcscd with vpcd listening, and holds the machine-wide
//               vpcd lock while it runs;
//   'inprocess' the agent hands APDUs straight to the virtual cards (no pcscd, no pcsclite);
//   'auto'      'pcscd' when available, else 'inprocess' (saying why).
// And the plain backend for real readers (PC/SC; without pcsclite it answers READER_ABSENT with the reason).
import type { AgentLogger } from '../agent.js'
import type { CardBackend } from '../card-protocol.js'
import { createPcscBackend } from '../pcsc-backend.js'
import { loadPcsclite, PcscManager } from '../pcsc.js'
import { InProcessReaders } from './in-process.js'
import { demoRack, type VirtualCardRack } from './rack.js'
import { VPCD_SLOTS, vpcdListening } from './vpcd-link.js'
import { lockVpcd } from './vpcd-lock.js'

export type VirtualMode = 'auto' | 'pcscd' | 'inprocess'
export const VIRTUAL_MODES: readonly VirtualMode[] = ['auto', 'pcscd', 'inprocess']

/** Slots of the in-process rack: enough for an NHI card and a PKI card side by side, plus one spare. */
export const IN_PROCESS_SLOTS = 3

/** Why the pcscd path cannot be used here, or undefined when it can. */
export async function pcscdUnavailable(): Promise<string | undefined> {
  try {
    await loadPcsclite()
  } catch (e) {
    return (e as Error).message
  }
  if (!vpcdListening()) return 'pcscd with the vsmartcard vpcd driver does not listen (no virtual slots)'
  return undefined
}

export interface VirtualCards {
  mode: 'pcscd' | 'inprocess'
  backend: CardBackend
  rack: VirtualCardRack
  /** Why 'auto' fell back to 'inprocess'. */
  fallbackReason?: string
  close(): Promise<void>
}

/** In-process virtual readers with every demo card of `pkiDir` in the rack. */
export function openInProcessCards(pkiDir: string, slots = IN_PROCESS_SLOTS): VirtualCards {
  const readers = new InProcessReaders(slots)
  const rack = demoRack(pkiDir, { driver: readers.driver, slots })
  const backend = createPcscBackend(readers)
  return {
    mode: 'inprocess',
    backend,
    rack,
    async close() {
      await rack.close()
      await backend.close()
    },
  }
}

/** Opens the virtual cards in `mode` (see the top of this file). 'pcscd' fails when pcscd/vpcd is not available. */
export async function openVirtualCards(mode: VirtualMode, pkiDir: string, opts: { logger?: AgentLogger; lockWaitMs?: number } = {}): Promise<VirtualCards> {
  if (mode === 'inprocess') return openInProcessCards(pkiDir)
  const why = await pcscdUnavailable()
  if (why) {
    if (mode === 'pcscd') throw new Error(`--virtual=pcscd: ${why}`)
    opts.logger?.info({ reason: why }, 'pcscd/vpcd not available: virtual cards run in-process')
    return { ...openInProcessCards(pkiDir), fallbackReason: why }
  }
  const release = await lockVpcd(opts.lockWaitMs ?? 10 * 60_000, (pid) => opts.logger?.info({ pid }, 'waiting for the vpcd slots'))
  const pcsc = new PcscManager(opts.logger ? { logger: opts.logger } : {})
  const backend = createPcscBackend(pcsc)
  const rack = demoRack(pkiDir, { slots: VPCD_SLOTS })
  return {
    mode: 'pcscd',
    backend,
    rack,
    async close() {
      await rack.close()
      release()
      await backend.close()
    },
  }
}

/** The backend for real readers through pcscd (pcsclite loaded lazily; READER_ABSENT with the reason without it). */
export function openPcscBackend(logger?: AgentLogger): { pcsc: PcscManager; backend: CardBackend } {
  const pcsc = new PcscManager(logger ? { logger } : {})
  return { pcsc, backend: createPcscBackend(pcsc) }
}
