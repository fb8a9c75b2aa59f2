// Demo staff accounts as account events (帳號管理): the demo reviewers and statistician of the demo registry, one
// MOHW administrator and one 臺北市 bureau administrator. Each is identified by its demo staff card's subject DN
// (stable whatever PKI issued it) and, when the demo PKI is at hand, by the card's issuer DN and serial too.
// Idempotent: fixed command ids.
import type { AccountService } from '../accounts/account-service.js'
import { certificateNamesFromPem } from '../accounts/certificate-names.js'
import type { CertificateId, StaffRole } from '../../domain/accounts/account.js'
import type { Actor } from '../../domain/types.js'
import type { DemoCard } from '../pki/demo-pki.js'
import type { LogPosition } from '../event-store/port.js'
import { DEMO_STAFF } from '../registry/demo-registry.js'

export interface DemoAccount {
  accountId: string
  name: string
  role: StaffRole
  county: string | null
  agency: string
}

export const DEMO_ADMINS: readonly DemoAccount[] = [
  { accountId: 'MOHW-A001', name: '林雅惠', role: 'admin', county: null, agency: '衛生福利部' },
  { accountId: 'TPE-A001', name: '陳建宏', role: 'bureau_admin', county: '63', agency: '臺北市政府衛生局' },
]

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  ...DEMO_STAFF.map((s) => ({ accountId: s.staffId, name: s.name, role: s.role, county: s.county, agency: s.agency })),
  ...DEMO_ADMINS,
]

/** The subject DN of a demo staff card (http/auth/demo-pki.ts: C, OU = county when any, CN, serialNumber). */
export const demoStaffSubjectDn = (a: Pick<DemoAccount, 'accountId' | 'name' | 'county'>): string =>
  `C=TW,${a.county ? `OU=${a.county},` : ''}CN=${a.name},serialNumber=${a.accountId}`

const SEED_ACTOR: Actor = { role: 'system', id: 'seed', name: '示範資料', via: 'system' }

/** Creates the demo accounts (those already created are left as they are). */
export async function seedDemoAccounts(accounts: AccountService, opts: { cards?: readonly DemoCard[]; waitFor?: (p: LogPosition) => Promise<boolean> } = {}): Promise<number> {
  let last: LogPosition | undefined
  for (const a of DEMO_ACCOUNTS) {
    const card = opts.cards?.find((c) => c.kind === 'staff' && c.holderId === a.accountId)
    const certificates: CertificateId[] = [{ subjectDn: demoStaffSubjectDn(a) }]
    if (card) {
      const n = certificateNamesFromPem(card.certificatePem)
      certificates.unshift({ issuerDn: n.issuerDn, serialHex: n.serialHex })
    }
    const { state } = await accounts.load(a.accountId)
    if (state.exists) continue
    const r = await accounts.create(
      { accountId: a.accountId, profile: { name: a.name, agency: a.agency, county: a.county, role: a.role, certificates }, reason: '示範資料' },
      { commandId: `seed-account:${a.accountId}`, actor: SEED_ACTOR },
    )
    last = r.position
  }
  if (last && opts.waitFor) await opts.waitFor(last)
  return DEMO_ACCOUNTS.length
}
