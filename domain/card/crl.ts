// X.509 v2 CRLs (RFC 5280 §5) with node-forge's ASN.1 layer (forge itself has no CRL support): build and sign one
// (demo PKI), parse one and check its signature against the issuing CA (server-side revocation check).
import forge from 'node-forge'

const { asn1, pki } = forge
const { Class, Type } = asn1

export interface ParsedCrl {
  issuer: forge.pki.CertificateField[]
  thisUpdate: Date
  nextUpdate?: Date
  /** Revoked serial numbers, lowercase hex without leading zeros. */
  revoked: Set<string>
  /** Checks the CRL's signature with the given (candidate issuer) certificate. */
  signedBy(issuer: forge.pki.Certificate): boolean
}

export const normalizeSerial = (hex: string): string => hex.toLowerCase().replace(/^0+(?=.)/, '')

const timeToAsn1 = (d: Date) =>
  d.getUTCFullYear() >= 1950 && d.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d))

const asn1ToTime = (a: forge.asn1.Asn1): Date =>
  a.type === Type.UTCTIME ? asn1.utcTimeToDate(a.value as string) : asn1.generalizedTimeToDate(a.value as string)

const sha256WithRsa = () =>
  asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(pki.oids.sha256WithRSAEncryption!).getBytes()),
    asn1.create(Class.UNIVERSAL, Type.NULL, false, ''),
  ])

const serialToAsn1 = (hex: string) => {
  let h = normalizeSerial(hex)
  if (h.length % 2) h = `0${h}`
  if (parseInt(h.slice(0, 2), 16) >= 0x80) h = `00${h}` // INTEGER is signed: keep it positive
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.util.hexToBytes(h))
}

/** Builds a DER CRL signed by `issuer` with its private key (sha256WithRSAEncryption). */
export function buildCrl(opts: {
  issuer: forge.pki.Certificate
  issuerKey: forge.pki.rsa.PrivateKey
  revoked: Array<{ serial: string; revokedAt: Date }>
  thisUpdate: Date
  nextUpdate: Date
}): Buffer {
  const entries = opts.revoked.map((r) =>
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [serialToAsn1(r.serial), timeToAsn1(r.revokedAt)]),
  )
  const tbs = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(1)), // v2
    sha256WithRsa(),
    pki.distinguishedNameToAsn1(opts.issuer.subject),
    timeToAsn1(opts.thisUpdate),
    timeToAsn1(opts.nextUpdate),
    ...(entries.length ? [asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, entries)] : []),
  ])
  const md = forge.md.sha256.create()
  md.update(asn1.toDer(tbs).getBytes())
  const signature = opts.issuerKey.sign(md)
  const crl = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    tbs,
    sha256WithRsa(),
    asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(0) + signature),
  ])
  return Buffer.from(asn1.toDer(crl).getBytes(), 'binary')
}

const DIGESTS: Record<string, () => forge.md.MessageDigest> = {
  [pki.oids.sha256WithRSAEncryption!]: () => forge.md.sha256.create(),
  [pki.oids.sha384WithRSAEncryption!]: () => forge.md.sha384.create(),
  [pki.oids.sha512WithRSAEncryption!]: () => forge.md.sha512.create(),
  [pki.oids.sha1WithRSAEncryption!]: () => forge.md.sha1.create(),
}

/** Parses a DER or PEM CRL. Throws on malformed input. */
export function parseCrl(bytes: Buffer): ParsedCrl {
  let der = bytes
  const text = bytes.toString('latin1')
  if (text.includes('-----BEGIN X509 CRL-----')) {
    der = Buffer.from(forge.pem.decode(text)[0]!.body, 'binary')
  }
  const fromDer = asn1.fromDer as unknown as (b: forge.util.ByteStringBuffer, o: { decodeBitStrings: boolean }) => forge.asn1.Asn1
  const root = fromDer(forge.util.createBuffer(der.toString('binary')), { decodeBitStrings: false })
  const [tbs, sigAlg, sigValue] = root.value as forge.asn1.Asn1[]
  if (!tbs || !sigAlg || !sigValue) throw new Error('CRL: not a CertificateList')
  const fields = [...(tbs.value as forge.asn1.Asn1[])]
  if (fields[0]?.type === Type.INTEGER) fields.shift() // version
  fields.shift() // signature algorithm (inner)
  const issuerAsn1 = fields.shift()
  const thisUpdateAsn1 = fields.shift()
  if (!issuerAsn1 || !thisUpdateAsn1) throw new Error('CRL: missing issuer or thisUpdate')
  let nextUpdate: Date | undefined
  if (fields[0] && (fields[0].type === Type.UTCTIME || fields[0].type === Type.GENERALIZEDTIME) && fields[0].tagClass === Class.UNIVERSAL) {
    nextUpdate = asn1ToTime(fields.shift()!)
  }
  const revoked = new Set<string>()
  if (fields[0] && fields[0].tagClass === Class.UNIVERSAL && fields[0].type === Type.SEQUENCE) {
    for (const entry of fields.shift()!.value as forge.asn1.Asn1[]) {
      const serial = (entry.value as forge.asn1.Asn1[])[0]
      if (serial) revoked.add(normalizeSerial(forge.util.bytesToHex(serial.value as string)))
    }
  }
  const issuer = (pki as unknown as { RDNAttributesAsArray(rdn: forge.asn1.Asn1): forge.pki.CertificateField[] }).RDNAttributesAsArray(issuerAsn1)
  const algOid = asn1.derToOid(((sigAlg.value as forge.asn1.Asn1[])[0]!.value as string))
  const tbsDer = asn1.toDer(tbs).getBytes()
  const signature = (sigValue.value as string).slice(1) // drop the unused-bits byte
  return {
    issuer,
    thisUpdate: asn1ToTime(thisUpdateAsn1),
    ...(nextUpdate ? { nextUpdate } : {}),
    revoked,
    signedBy(ca) {
      const mk = DIGESTS[algOid]
      if (!mk) return false
      if (!ca.subject.attributes.every((a) => issuer.some((b) => b.type === a.type && b.value === a.value))) return false
      const md = mk()
      md.update(tbsDer)
      try {
        return (ca.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), signature)
      } catch {
        return false
      }
    },
  }
}
