// Demo cards for every demo holder (commands/registry/demo-registry.ts), issued with the demo PKI: an HCA card and
// an NHI card per professional, an institution card per institution, a staff card per reviewer / statistician.
// Idempotent: a card already issued is kept (same key, same serial), so this runs on every demo start.
import forge from 'node-forge'
import { DEMO_PIN, issueDemoCard, type DemoCard, type DemoCardRequest } from '../pki/demo-pki.js'
import { recordStaffCertificate, type StaffCertificate } from '../registry/staff-certificates.js'
import type { Sql } from '../platform/database.js'
import { distinguishedName } from '../../domain/card/certificate-profile.js'
import { isoToRoc } from '../../domain/roc-date.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS, DEMO_STAFF } from '../registry/demo-registry.js'

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
  return out
}

/** Issues (idempotently) every demo card into the demo PKI in `pkiDir`; returns them in request order. */
export function seedDemoCards(pkiDir: string, opts: { now?: Date } = {}): DemoCard[] {
  return demoCardRequests().map((r) => issueDemoCard(r, { dir: pkiDir, ...(opts.now ? { now: opts.now } : {}) }))
}

/** The identifiers a staff card is recorded by (issuer DN + serial). */
export function staffCertificateOf(card: DemoCard): StaffCertificate {
  const cert = forge.pki.certificateFromPem(card.certificatePem)
  return { issuerDn: distinguishedName(cert.issuer.attributes), serialHex: cert.serialNumber, subjectDn: distinguishedName(cert.subject.attributes) }
}

/** Records each staff card of `cards` for its staff member (the registry row must exist). */
export async function recordDemoStaffCards(db: Sql, cards: readonly DemoCard[]): Promise<number> {
  const staff = cards.filter((c) => c.kind === 'staff')
  for (const c of staff) await recordStaffCertificate(db, c.holderId, staffCertificateOf(c))
  return staff.length
}
