// What a card certificate says about its holder: the card kind (from the subject-type attribute) and the holder's
// identity (from the subject). Pure node-forge parsing, shared by the server (certificates.ts) and the reader agent.
//
// Subject type: extension subjectDirectoryAttributes (2.5.29.9) holding attribute 2.16.886.1.100.2.1 whose value is
//   2.16.886.1.100.3.1.7   HCA professional card (醫事人員卡)
//   2.16.886.1.100.3.2.21  HCA institution card (醫事機構卡)
//   STAFF_CARD_OID         health-bureau staff card (ours: the real reviewers use government GCA cards; we mark the
//                          staff type under our own arc 2.25.<UUID 67f4e736-4967-4fca-a4e2-d606a82ae95f>, an OID made
//                          from a UUID per ITU-T X.667, so it can never collide with a registered one)
//
// Holder identity, in the subject (what the demo PKI issues; a production adapter for the real HCA subject layout
// would map it the same way):
//   professional: serialNumber (2.5.4.5) = national / resident ID in full, CN = name
//   institution:  serialNumber = institution code (10 chars), CN = institution name
//   staff:        serialNumber = staff id, CN = name, OU = the county code of the health bureau (if any)
import forge from 'node-forge'

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
  /** National/resident ID (professional), institution code (institution) or staff id (staff). */
  holderId: string
  name: string
  /** Organisational unit from the subject (for staff: county code), if any. */
  unit?: string
  /** Certificate serial number, lowercase hex. */
  certificateSerial: string
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

/** The DER (forge binary string) of a subjectDirectoryAttributes value marking the given card kind. */
export function subjectDirectoryAttributesDer(kind: CardKind): string {
  const { Class, Type } = asn1
  return asn1
    .toDer(
      asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
        asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
          asn1.create(Class.UNIVERSAL, Type.OID, false, oidToDer(SUBJECT_TYPE_ATTRIBUTE_OID)),
          asn1.create(Class.UNIVERSAL, Type.SET, true, [
            asn1.create(Class.UNIVERSAL, Type.OID, false, oidToDer(CARD_KIND_OIDS[kind])),
          ]),
        ]),
      ]),
    )
    .getBytes()
}

export function cardKindOf(cert: forge.pki.Certificate): CardKind | undefined {
  const oids = subjectTypeOids(cert)
  return CARD_KINDS.find((k) => oids.includes(CARD_KIND_OIDS[k]))
}

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

/** Holder of a certificate, or undefined when it carries no known card kind or no serialNumber. */
export function cardHolderOf(cert: forge.pki.Certificate): CardHolder | undefined {
  const kind = cardKindOf(cert)
  const holderId = subjectField(cert, '2.5.4.5')
  if (!kind || !holderId) return undefined
  const unit = subjectField(cert, 'OU')
  return {
    kind,
    holderId,
    name: subjectField(cert, 'CN') ?? '',
    ...(unit ? { unit } : {}),
    certificateSerial: cert.serialNumber.toLowerCase(),
  }
}

export const certificateFromDer = (der: Buffer): forge.pki.Certificate =>
  forge.pki.certificateFromAsn1(asn1.fromDer(forge.util.createBuffer(der.toString('binary'))))

export const certificateToDer = (cert: forge.pki.Certificate): Buffer =>
  Buffer.from(asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary')
