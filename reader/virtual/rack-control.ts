// Driving the virtual-card rack from the site's 「示範讀卡機」 page: directly (the agent runs in the same process) or
// through an agent's /virtual endpoints (an agent started on its own with `baobei reader --virtual`).
import type { CatalogueEntry, RackSlot, VirtualCardRack } from './rack.js'

export interface RackState {
  slots: RackSlot[]
  cards: CatalogueEntry[]
}

export interface RackControl {
  /** Where the cards are: 'in-process' or the agent's URL. */
  readonly where: string
  /** The rack; undefined when the agent has no virtual cards. Rejects when the agent cannot be reached. */
  state(): Promise<RackState | undefined>
  insert(slot: number, card: string): Promise<void>
  remove(slot: number): Promise<void>
}

export class RackError extends Error {}

export function directRackControl(rack: VirtualCardRack): RackControl {
  return {
    where: 'in-process',
    async state() {
      return { slots: rack.slots(), cards: rack.catalogue() }
    },
    async insert(slot, card) {
      await rack.insert(slot, card).catch((e: Error) => {
        throw new RackError(e.message)
      })
    },
    remove: (slot) => rack.remove(slot),
  }
}

/** Calls the agent at `agentUrl` as the site (`origin()`), which the agent's Origin check lets through. */
export function agentRackControl(agentUrl: string, origin: () => string): RackControl {
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    let res: Response
    try {
      res = await fetch(`${agentUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { origin: origin(), 'content-type': 'application/json' },
        signal: AbortSignal.timeout(5000),
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code
      throw new RackError(`reader agent not reachable${cause ? ` (${cause})` : ''}`)
    }
    const json = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
    return { status: res.status, json }
  }
  const change = async (path: string, body: unknown) => {
    const r = await call('POST', path, body)
    if (r.status !== 200) throw new RackError(r.json?.error?.message ?? `reader agent answered ${r.status}`)
  }
  return {
    where: agentUrl,
    async state() {
      const r = await call('GET', '/virtual')
      if (r.status === 404) return undefined
      if (r.status !== 200) throw new RackError(r.json?.error?.message ?? `reader agent answered ${r.status}`)
      return r.json as unknown as RackState
    },
    insert: (slot, card) => change('/virtual/insert', { slot, card }),
    remove: (slot) => change('/virtual/remove', { slot }),
  }
}
