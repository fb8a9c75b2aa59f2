// The staff member a government (GCA) card belongs to: looked up by the certificate's issuer DN and serial number as
// recorded for the staff member (commands/registry/staff-certificates.ts), never by a name or an id in the subject.
// One function, so the staff-accounts model (`account-<id>` streams) can take over the lookup in one place.
import type { Sql } from '../../commands/platform/database.js'
import { findStaff, type RegistryStaff } from '../../commands/registry/registry.js'
import { normalizeSerial } from '../../domain/card/crl.js'

export interface StaffCertificateIdentity {
  /** distinguishedName() of the issuer. */
  issuerDn: string
  serialHex: string
  subjectDn: string
}

export async function staffForCertificate(db: Sql, cert: StaffCertificateIdentity): Promise<RegistryStaff | undefined> {
  const r = await db.query<{ staff_id: string }>(
    `SELECT staff_id FROM registry_staff_certificates WHERE issuer_dn = $1 AND serial_hex = $2`,
    [cert.issuerDn, normalizeSerial(cert.serialHex)],
  )
  const row = r.rows[0]
  return row ? findStaff(db, row.staff_id) : undefined
}
