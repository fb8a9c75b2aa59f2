// What the agent shows of a card certificate (public, read without the PIN): the kind and holder its profile says
// (domain/card/certificate-profile.ts), or for a certificate of no kind we can place, its subject CN. Display only: the
// server reads the certificate itself. Both backends (PC/SC and PKCS#11) use this one reading.
import { cardHolderOf, certificateFromDer, subjectCommonName } from '../domain/card/certificate-profile.js'
import type { PkiCardBasicData } from './card-protocol.js'

export function cardBasicData(der: Buffer): PkiCardBasicData {
  try {
    const cert = certificateFromDer(der)
    const h = cardHolderOf(cert)
    if (h) return { kind: h.kind, holderId: h.holderId, name: h.name, ...(h.unit ? { unit: h.unit } : {}), certificateSerial: h.certificateSerial }
    return { kind: 'unknown', holderId: '', name: subjectCommonName(cert) ?? '', certificateSerial: cert.serialNumber.toLowerCase() }
  } catch {
    return { kind: 'unknown', holderId: '', name: '', certificateSerial: '' }
  }
}
