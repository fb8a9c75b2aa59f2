// Composes the front office's services from the modules of the system (report service, read models, projections,
// blob store). Used by serve.ts and by the test harness; nothing here is test-only.
import { join } from 'node:path'
import type { Database } from '../commands/platform/database.js'
import type { EventStore, LogPosition } from '../commands/event-store/port.js'
import type { Logger } from '../commands/platform/logger.js'
import { createCaseService, type CaseService } from '../commands/case-service.js'
import { existingReportsFromReadModel } from '../commands/existing-reports-from-read-model.js'
import { allocateApprovalNumber, allocateCaseNumber } from '../commands/serial-allocator.js'
import { createFileBlobStore, type BlobStore } from '../commands/attachments/blob-store.js'
import { createRulesService, ensureFirstRuleVersions, type RulesService } from '../commands/rules/rules-service.js'
import { createAccountService, type AccountService } from '../commands/accounts/account-service.js'
import { createReadModels, type ReadModels } from '../projections/queries/read-models.js'
import { createProjectionRunner, type ProjectionRunner } from '../projections/runner.js'
import { PROJECTIONS } from '../projections/read-models/all.js'

export interface FrontParts {
  readModels: ReadModels
  reports: CaseService
  blobs: BlobStore
  /** 系統設定: rule versions (the case service judges with the ones in force). */
  rules: RulesService
  /** 帳號管理. */
  accounts: AccountService
  runner?: ProjectionRunner
  /** Read-your-writes: resolves when the projections have the position (or after a timeout). */
  waitFor(position: LogPosition): Promise<boolean>
  close(): Promise<void>
}

export async function createFrontParts(opts: { db: Database; store: EventStore; clock: () => Date; dataDir: string; logger?: Logger; runProjections: boolean; rulesCacheMs?: number }): Promise<FrontParts> {
  const { db, store, clock } = opts
  const readModels = await createReadModels(db)
  // rules as data: today's constants are the first versions, appended once
  await ensureFirstRuleVersions(store, clock)
  const rules = createRulesService({ store, clock, ...(opts.rulesCacheMs !== undefined ? { ttlMs: opts.rulesCacheMs } : {}) })
  // a rule version recorded by any instance drops this instance's cache at once (the TTL stays as the fallback)
  const unlistenRules = await rules.listen(db)
  const accounts = createAccountService({ store, db, clock, counties: async (at) => (await rules.referenceAt(at)).counties })
  const meta = (m: { commandId: string; actor: import('../domain/types.js').Actor; correlationId?: string }, now: string, what: string) => ({
    commandId: `${m.commandId}:${what}`, actor: m.actor, correlationId: m.correlationId ?? m.commandId, occurredAt: now,
  })
  const reports = createCaseService({
    db, store, clock, rules,
    existing: existingReportsFromReadModel(readModels, db),
    numbers: {
      caseNumber: (now, m) => allocateCaseNumber(store, meta(m, now, 'case-number'), now),
      approvalNumber: (county, now, m) => allocateApprovalNumber(store, county, meta(m, now, 'approval-number'), now),
    },
  })
  const runner = opts.runProjections ? createProjectionRunner({ db, store, projections: PROJECTIONS, ...(opts.logger ? { logger: opts.logger } : {}) }) : undefined
  if (runner) await runner.start()
  return {
    readModels, reports, runner, rules, accounts,
    blobs: createFileBlobStore(join(opts.dataDir, 'attachments')),
    async waitFor(position) {
      if (runner) return runner.waitFor(position, undefined, 5000)
      const { waitForProjections } = await import('../projections/status.js')
      return waitForProjections(db, position, PROJECTIONS.map((p) => p.name), 5000)
    },
    async close() {
      await runner?.stop()
      await unlistenRules().catch(() => {})
      await readModels.close()
    },
  }
}

