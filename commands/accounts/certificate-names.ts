// The names a certificate gives for the account look-up: issuer DN, subject DN (as `C=TW,OU=63,CN=周文華,serialNumber=X`,
// in the certificate's attribute order, UTF-8 decoded) and the serial as lowercase hex.
import forge from 'node-forge'
import { normalizeSerial } from '../../domain/accounts/account.js'

type Attribute = { type?: string; name?: string; shortName?: string; value?: unknown }

const decodeUtf8 = (s: string): string => {
  try {
    return forge.util.decodeUtf8(s)
  } catch {
    return s
  }
}

export const dnOf = (attributes: readonly Attribute[]): string =>
  attributes.map((a) => `${a.shortName ?? a.name ?? a.type}=${typeof a.value === 'string' ? decodeUtf8(a.value) : ''}`).join(',')

export function certificateNames(cert: forge.pki.Certificate): { issuerDn: string; subjectDn: string; serialHex: string } {
  return { issuerDn: dnOf(cert.issuer.attributes), subjectDn: dnOf(cert.subject.attributes), serialHex: normalizeSerial(cert.serialNumber) }
}

/** The same from a certificate in PEM. */
export const certificateNamesFromPem = (pem: string) => certificateNames(forge.pki.certificateFromPem(pem))
