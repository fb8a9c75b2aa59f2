// What a card certificate says about its holder: the card kind, the holder's identity, and whether it has the shape
// of a card's signing certificate at all. Pure node-forge parsing, shared by the server (http/auth/certificates.ts)
// and the reader agent (which only shows it). README 登入 (卡片憑證的欄位) says what we rely on and where it is from.
//
// Which kind a card is comes first from WHICH CA FAMILY it chains to (the server's trust store has one folder per
// family, so a CA trusted for one kind cannot mint another), then, inside the HCA family, from the subject-type
// attribute (GPKI certificate profile: extension subjectDirectoryAttributes 2.5.29.9, attribute 2.16.886.1.100.2.1,
// whose value is an OID), exactly one of
//   2.16.886.1.100.3.1.7   HCA professional card (醫事人員卡, HPC)
//   2.16.886.1.100.3.2.21  HCA institution card (醫事機構卡, HOP)
// A certificate carrying both, or neither, is no card of ours. A certificate chaining to the government CA family
// (GCA) is a staff card whatever it carries. The demo PKI also marks its staff cards with our own OID (arc
// 2.25.<UUID 67f4e736-4967-4fca-a4e2-d606a82ae95f>, ITU-T X.667) so the agent can show "staff card" before any
// server has looked at it; the server never decides on that mark.
//
// The shape of a card's signing certificate (cardProfileProblem): an end-entity certificate (no basicConstraints cA),
// keyUsage present and allowing digitalSignature (the card's other certificate, for encryption, has only
// keyEncipherment and cannot log in), subject country C=TW.
//
// Holder identity (cardHolderOf). The GPKI profile carries identifiers in subjectDirectoryAttributes, not in the
// subject name (e.g. MOICA: only the ID's last 4 digits, 2.16.886.1.100.2.51; GCA/XCA: the agency OID,
// 2.16.886.1.100.2.102), and public HCA integrations read the holder's ID from the card's data files, not from the
// certificate. So no national ID is assumed to be in a certificate:
//   HCA professional: subject serialNumber (2.5.4.5) is the holder's ID only when it IS a valid national / resident
//                     ID (check digit); otherwise the card maps by issuer DN + serial recorded in the registry
//   HCA institution:  subject serialNumber is the institution code only when it has the code's shape (10 of 0-9A-Z);
//                     otherwise by issuer DN + serial recorded in the registry
//   GCA staff:        always by issuer DN + serial (or subject DN) recorded in the staff account (帳號管理)
//   CN is the name shown; OU (the demo staff card's county code) is display only.
import forge from 'node-forge'
import { isInstitutionCode } from '../reference/institution-code.js'
import { isValidPersonId, normalizePersonId } from '../national-id.js'

export const SUBJECT_TYPE_ATTRIBUTE_OID = '2.16.886.1.100.2.1'
export const SUBJECT_DIRECTORY_ATTRIBUTES_OID = '2.5.29.9'
export const BAOBEI_OID_ARC = '2.25.138182093536985354038049970683866966367'
export const CARD_KIND_OIDS = {
  professional: '2.16.886.1.100.3.1.7',
  institution: '2.16.886.1.100.3.2.21',
  staff: `${BAOBEI_OID_ARC}.1.1`,
} as const

export type CardKind = keyof typeof CARD_KIND_OIDS
export const CARD_KINDS = Object.keys(CARD_KIND_OIDS) as CardKind[]

export interface CardHolder {
  kind: CardKind
  /**
   * What the certificate itself says identifies the holder: a valid national/resident ID (professional), an
   * institution code (institution); '' when it names none (then issuer + serial identify the card). For staff: the
   * subject's serialNumber if any, display only.
   */
  holderId: string
  name: string
  /** Organisational unit from the subject (for staff: county code), if any. */
  unit?: string
  /** Certificate serial number, lowercase hex. */
  certificateSerial: string
  /** The issuer's distinguished name (distinguishedName()): with the serial, what names a card uniquely. */
  issuerDn: string
  subjectDn: string
}

/**
 * A distinguished name as one string, RDNs in certificate order (most significant first), `type=value` joined by
 * commas, types by their short names (C, O, OU, CN, serialNumber…) or dotted OIDs; values as UTF-8 text with `\`,
 * `,`, `+`, `"`, `=`, `<`, `>`, `;` escaped by a backslash. E.g. `C=TW,O=行政院,OU=政府憑證管理中心`.
 */
export function distinguishedName(fields: forge.pki.CertificateField[]): string {
  return fields
    .map((f) => {
      const type = f.shortName ?? (f.type === '2.5.4.5' ? 'serialNumber' : f.type ?? '?')
      const value = typeof f.value === 'string' ? decodeUtf8(f.value) : String(f.value)
      return `${type}=${value.replace(/[\\,+"=<>;]/g, (c) => `\\${c}`)}`
    })
    .join(',')
}

const { asn1 } = forge

// forge's OID codec stops at 32-bit arcs; the UUID arc needs 128 bits, so OIDs inside the extension go through these.
function oidToDer(oid: string): string {
  const arcs = oid.split('.').map((a) => BigInt(a))
  const bytes: number[] = []
  const first = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]
  for (const arc of first) {
    const chunk: number[] = [Number(arc & 0x7fn)]
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80)
    bytes.push(...chunk)
  }
  return String.fromCharCode(...bytes)
}

function derToOid(der: string): string {
  const arcs: bigint[] = []
  let v = 0n
  for (let i = 0; i < der.length; i++) {
    const b = der.charCodeAt(i)
    v = (v << 7n) | BigInt(b & 0x7f)
    if (!(b & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80n ? v / 40n : 2n, v < 80n ? v % 40n : v - 80n)
      else arcs.push(v)
      v = 0n
    }
  }
  return arcs.join('.')
}

/** Reads the subject-type OIDs from subjectDirectoryAttributes (empty when the extension is missing or malformed). */
export function subjectTypeOids(cert: forge.pki.Certificate): string[] {
  const ext = (cert.extensions as Array<{ id?: string; value?: unknown }>).find((e) => e.id === SUBJECT_DIRECTORY_ATTRIBUTES_OID)
  if (!ext || typeof ext.value !== 'string') return []
  try {
    const seq = asn1.fromDer(ext.value)
    const out: string[] = []
    for (const attr of seq.value as forge.asn1.Asn1[]) {
      const [type, values] = attr.value as forge.asn1.Asn1[]
      if (!type || !values || derToOid(type.value as string) !== SUBJECT_TYPE_ATTRIBUTE_OID) continue
      for (const v of values.value as forge.asn1.Asn1[]) {
        if (v.type === asn1.Type.OID) out.push(derToOid(v.value as string))
      }
    }
    return out
  } catch {
    return []
  }
}

/** The DER (forge binary string) of a subjectDirectoryAttributes value marking the given card kind(s). */
export function subjectDirectoryAttributesDer(kind: CardKind | readonly CardKind[]): string {
  const kinds = typeof kind === 'string' ? [kind] : kind
  const { Class, Type } = asn1
  return asn1
    .toDer(
      asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
        asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
          asn1.create(Class.UNIVERSAL, Type.OID, false, oidToDer(SUBJECT_TYPE_ATTRIBUTE_OID)),
          asn1.create(Class.UNIVERSAL, Type.SET, true, kinds.map((k) => asn1.create(Class.UNIVERSAL, Type.OID, false, oidToDer(CARD_KIND_OIDS[k])))),
        ]),
      ]),
    )
    .getBytes()
}

/** The card kind the subject-type attribute names: exactly one known kind, else undefined. */
export function cardKindOf(cert: forge.pki.Certificate): CardKind | undefined {
  const oids = subjectTypeOids(cert)
  const kinds = CARD_KINDS.filter((k) => oids.includes(CARD_KIND_OIDS[k]))
  return kinds.length === 1 ? kinds[0] : undefined
}

/**
 * Why this certificate is not a card's signing certificate (zh-TW, for CERT_PROFILE_INVALID), or undefined when it
 * has the shape: end entity, keyUsage with digitalSignature, subject C=TW.
 */
export function cardProfileProblem(cert: forge.pki.Certificate): string | undefined {
  const ext = (name: string) => (cert.extensions as Array<{ name?: string; [k: string]: unknown }>).find((e) => e.name === name)
  if (ext('basicConstraints')?.cA === true) return '這是憑證中心的憑證，不是卡片憑證'
  const ku = ext('keyUsage')
  if (!ku) return '憑證沒有金鑰用途（keyUsage）'
  if (ku.digitalSignature !== true) return '這張憑證不可用於簽章（可能是卡片的加密憑證）'
  if (subjectField(cert, 'C') !== 'TW') return '憑證主體的國別不是 TW'
  return undefined
}

/** The subject's CN as text (the name shown), whatever kind of certificate it is. */
export const subjectCommonName = (cert: forge.pki.Certificate): string | undefined => subjectField(cert, 'CN')

function subjectField(cert: forge.pki.Certificate, shortOrType: string): string | undefined {
  const f = cert.subject.attributes.find((a) => a.shortName === shortOrType || a.type === shortOrType)
  return typeof f?.value === 'string' ? decodeUtf8(f.value) : undefined
}

/** forge hands UTF8String values back as raw UTF-8 bytes in a binary string. */
function decodeUtf8(s: string): string {
  try {
    return forge.util.decodeUtf8(s)
  } catch {
    return s
  }
}

/** What the subject's serialNumber says about the holder of a card of this kind ('' when nothing we rely on). */
export function holderIdOf(cert: forge.pki.Certificate, kind: CardKind): string {
  const raw = subjectField(cert, '2.5.4.5')?.trim() ?? ''
  if (kind === 'professional') return isValidPersonId(raw) ? normalizePersonId(raw) : ''
  if (kind === 'institution') return isInstitutionCode(raw.toUpperCase()) ? raw.toUpperCase() : ''
  return raw
}

/**
 * Holder of a certificate, or undefined when it carries no known card kind. `kind` is what the chain decided (the
 * server); without it the subject-type attribute is read (the agent's display). holderId '' = map by issuer + serial.
 */
export function cardHolderOf(cert: forge.pki.Certificate, kind: CardKind | undefined = cardKindOf(cert)): CardHolder | undefined {
  if (!kind) return undefined
  const unit = subjectField(cert, 'OU')
  return {
    kind,
    holderId: holderIdOf(cert, kind),
    name: subjectField(cert, 'CN') ?? '',
    ...(unit ? { unit } : {}),
    certificateSerial: cert.serialNumber.toLowerCase(),
    issuerDn: distinguishedName(cert.issuer.attributes),
    subjectDn: distinguishedName(cert.subject.attributes),
  }
}

/** The HCA card kinds (told apart by the subject-type attribute); staff cards are the GCA family's. */
export const HCA_KINDS: readonly CardKind[] = ['professional', 'institution']

/** The card kind of a certificate that chains to the HCA family: only the HCA subject types count. */
export function hcaKindOf(cert: forge.pki.Certificate): CardKind | undefined {
  const oids = subjectTypeOids(cert)
  const kinds = HCA_KINDS.filter((k) => oids.includes(CARD_KIND_OIDS[k]))
  return kinds.length === 1 ? kinds[0] : undefined
}

export const certificateFromDer = (der: Buffer): forge.pki.Certificate =>
  forge.pki.certificateFromAsn1(asn1.fromDer(forge.util.createBuffer(der.toString('binary'))))

export const certificateToDer = (cert: forge.pki.Certificate): Buffer =>
  Buffer.from(asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary')
