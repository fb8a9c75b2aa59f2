// Demo cards for every demo holder (commands/registry/demo-registry.ts), issued with the demo PKI: an HCA card and
// an NHI card per professional, an institution card per institution, a staff card per reviewer / statistician.
// Idempotent: a card already issued is kept (same key, same serial), so this runs on every demo start.
import { DEMO_PIN, issueDemoCard, type DemoCard, type DemoCardRequest } from '../pki/demo-pki.js'
import { isoToRoc } from '../../domain/roc-date.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS, DEMO_STAFF } from '../registry/demo-registry.js'
import { DEMO_ADMINS } from './demo-accounts.js'

export { DEMO_PIN }

/** Every card the demo has, as requests to the demo PKI (all with DEMO_PIN). */
export function demoCardRequests(): DemoCardRequest[] {
  const out: DemoCardRequest[] = []
  for (const p of DEMO_PROFESSIONALS) {
    out.push({
      kind: 'professional',
      holderId: p.nationalId,
      name: p.name,
      pin: DEMO_PIN,
      ...(p.nhiCardNumber && p.birthDate && p.sex
        ? { nhi: { cardNumber: p.nhiCardNumber, birthDate: isoToRoc(p.birthDate), sex: p.sex } }
        : {}),
    })
  }
  for (const i of DEMO_INSTITUTIONS) out.push({ kind: 'institution', holderId: i.code, name: i.name, pin: DEMO_PIN })
  for (const s of DEMO_STAFF) out.push({ kind: 'staff', holderId: s.staffId, name: s.name, pin: DEMO_PIN, ...(s.county ? { unit: s.county } : {}) })
  for (const a of DEMO_ADMINS) out.push({ kind: 'staff', holderId: a.accountId, name: a.name, pin: DEMO_PIN, ...(a.county ? { unit: a.county } : {}) })
  return out
}

/** Issues (idempotently) every demo card into the demo PKI in `pkiDir`; returns them in request order. */
export function seedDemoCards(pkiDir: string, opts: { now?: Date } = {}): DemoCard[] {
  return demoCardRequests().map((r) => issueDemoCard(r, { dir: pkiDir, ...(opts.now ? { now: opts.now } : {}) }))
}

