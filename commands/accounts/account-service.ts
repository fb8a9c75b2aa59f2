// 帳號管理 commands: create, change, disable, enable a staff account on its `account-<id>` stream through the generic
// command handler (load, fold, decide, append with expected version; idempotent by commandId). A certificate already
// identifying another account is refused before deciding (the accounts read model is the index of certificates).
import { createCommandHandler } from '../command-handler.js'
import type { EventStore, LogPosition } from '../event-store/port.js'
import type { Sql } from '../platform/database.js'
import {
  accountStream, certificateKey, decideAccount, evolveAccount, initialAccountState, normalizeCertificate,
  type AccountCommand, type AccountContext, type AccountEvent, type AccountProfile, type AccountState,
} from '../../domain/accounts/account.js'
import { DomainError } from '../../domain/errors.js'
import type { Actor } from '../../domain/types.js'
import { certificateHolders } from './find-account.js'

export interface AccountMeta {
  commandId: string
  actor: Actor
  correlationId?: string
}

export interface AccountOutcome {
  accountId: string
  state: AccountState
  events: AccountEvent[]
  position: LogPosition
  duplicate: boolean
}

export interface AccountService {
  load(accountId: string): Promise<{ state: AccountState; version: number }>
  create(input: { accountId: string; profile: AccountProfile; reason: string }, meta: AccountMeta): Promise<AccountOutcome>
  change(accountId: string, input: { profile: AccountProfile; reason: string }, meta: AccountMeta): Promise<AccountOutcome>
  disable(accountId: string, input: { reason: string }, meta: AccountMeta): Promise<AccountOutcome>
  enable(accountId: string, input: { reason: string }, meta: AccountMeta): Promise<AccountOutcome>
}

export function createAccountService(deps: { store: EventStore; db: Sql; clock?: () => Date; counties?: (at: string) => Promise<readonly { code: string }[]> }): AccountService {
  const clock = deps.clock ?? (() => new Date())
  const handler = createCommandHandler<AccountState, AccountCommand, AccountEvent, AccountContext>(deps.store, {
    initialState: initialAccountState,
    evolve: (s, e) => evolveAccount(s, e),
    decide: decideAccount,
  })

  async function assertCertificatesFree(accountId: string, profile: AccountProfile) {
    let certs
    try {
      certs = profile.certificates.map(normalizeCertificate)
    } catch {
      return // the decider names the malformed one
    }
    const holders = await certificateHolders(deps.db, certs)
    for (const c of certs) {
      const holder = holders.get(certificateKey(c))
      if (holder && holder !== accountId) throw new DomainError('CERTIFICATE_IN_USE', { accountId: holder }, `此憑證已對應其他帳號（${holder}）`)
    }
  }

  async function run(accountId: string, command: AccountCommand, meta: AccountMeta): Promise<AccountOutcome> {
    const now = clock().toISOString()
    // the counties in force now (versioned reference list), when the caller wired the rules in
    const counties = deps.counties ? await deps.counties(now) : undefined
    const r = await handler.handle({
      stream: accountStream(accountId),
      command,
      ctx: { actor: meta.actor, ...(counties ? { counties } : {}) },
      meta: { commandId: meta.commandId, actor: meta.actor, correlationId: meta.correlationId ?? meta.commandId, occurredAt: now },
    })
    return { accountId, state: r.state, events: r.events.map((e) => ({ type: e.type, data: e.data }) as AccountEvent), position: r.position, duplicate: r.duplicate }
  }

  return {
    async load(accountId) {
      const l = await handler.load(accountStream(accountId))
      return { state: l.state, version: l.version }
    },
    async create(input, meta) {
      await assertCertificatesFree(input.accountId, input.profile)
      return run(input.accountId, { type: 'CreateAccount', data: input }, meta)
    },
    async change(accountId, input, meta) {
      await assertCertificatesFree(accountId, input.profile)
      return run(accountId, { type: 'ChangeAccount', data: input }, meta)
    },
    disable: (accountId, input, meta) => run(accountId, { type: 'DisableAccount', data: input }, meta),
    enable: (accountId, input, meta) => run(accountId, { type: 'EnableAccount', data: input }, meta),
  }
}
