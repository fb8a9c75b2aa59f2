// Which card certificate belongs to which staff member: government (GCA) cards are recorded per staff account by
// their issuer DN and serial number (what names a certificate uniquely), because the GCA profile gives us no national
// ID to map by. Written by the seed (demo cards) and by whoever issues a card to a staff member; read at login by
// http/auth/staff-holder.ts. (Staff accounts become `account-<id>` event streams with the administration issue; this
// table is where the certificate identifiers live until then.)
import { normalizeSerial } from '../../domain/card/crl.js'
import type { Sql } from '../platform/database.js'

export interface StaffCertificate {
  issuerDn: string
  /** Hex, any case, leading zeros allowed. */
  serialHex: string
  subjectDn?: string
}

/** Records (or moves) a certificate to a staff member. Idempotent. */
export async function recordStaffCertificate(db: Sql, staffId: string, cert: StaffCertificate): Promise<void> {
  await db.query(
    `INSERT INTO registry_staff_certificates (issuer_dn, serial_hex, staff_id, subject_dn) VALUES ($1, $2, $3, $4)
     ON CONFLICT (issuer_dn, serial_hex) DO UPDATE SET staff_id = EXCLUDED.staff_id, subject_dn = EXCLUDED.subject_dn`,
    [cert.issuerDn, normalizeSerial(cert.serialHex), staffId, cert.subjectDn ?? null],
  )
}
