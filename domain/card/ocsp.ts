// OCSP (RFC 6960) for card certificates: the request we send and the check of the answer. No I/O here (the HTTP
// exchange is http/auth/ocsp-client.ts); ASN.1 through @peculiar/asn1-ocsp / asn1-x509, hashes and signatures
// through node:crypto.
//
// An answer counts only when all of this holds, else it is OcspInvalid (and the caller falls back to the CRL):
//   - responseStatus successful, responseType id-pkix-ocsp-basic;
//   - signed by the certificate's issuer itself, or by a delegated responder whose certificate is in the answer,
//     issued (and signed) by that issuer, valid now, with extendedKeyUsage id-kp-OCSPSigning; the responderID names
//     the signer (by name or by key hash);
//   - the nonce we sent is echoed (id-pkix-ocsp-nonce; a pre-produced answer without it is not taken: replay);
//   - a SingleResponse for exactly our CertID (issuer name hash, issuer key hash, serial);
//   - thisUpdate not in the future (5 minutes of clock skew), nextUpdate (if given) not past, and without nextUpdate
//     thisUpdate no older than an hour.
import { createHash, verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import {
  AlgorithmIdentifier, AuthorityInfoAccessSyntax, Certificate, ExtendedKeyUsage, Extension, id_ad_ocsp, id_ce_extKeyUsage,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509'
import {
  BasicOCSPResponse, CertID, id_kp_OCSPSigning, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPRequest, OCSPResponse,
  OCSPResponseStatus, Request, TBSRequest,
} from '@peculiar/asn1-ocsp'

export const SHA1_OID = '1.3.14.3.2.26'
export const SHA256_OID = '2.16.840.1.101.3.4.2.1'
const HASHES: Record<string, string> = { [SHA1_OID]: 'sha1', [SHA256_OID]: 'sha256' }
/** Signature algorithms of an answer: RSA PKCS#1 v1.5 and ECDSA, with their digest. */
const SIGNATURE_DIGESTS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
}

const CLOCK_SKEW_MS = 5 * 60_000
const MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 60 * 60_000

export class OcspInvalid extends Error {
  override name = 'OcspInvalid'
}

export type OcspAnswer = { status: 'good' } | { status: 'revoked'; revokedAt: Date } | { status: 'unknown' }

const buf = (b: ArrayBuffer | ArrayBufferView): Buffer =>
  b instanceof ArrayBuffer ? Buffer.from(b) : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
const parseCertificate = (der: Buffer): Certificate => AsnConvert.parse(der, Certificate)
const hash = (alg: string, data: ArrayBuffer | Buffer) => createHash(alg).update(data instanceof ArrayBuffer ? Buffer.from(data) : data).digest()
/** INTEGER bytes without sign padding, so 00 80 and 80 compare equal. */
const serialBytes = (b: ArrayBuffer) => {
  const x = Buffer.from(b)
  let i = 0
  while (i < x.length - 1 && x[i] === 0) i++
  return x.subarray(i)
}

/** The OCSP URLs of a certificate's authorityInfoAccess (id-ad-ocsp, URIs only). */
export function ocspUrlsOf(certificateDer: Buffer): string[] {
  const ext = parseCertificate(certificateDer).tbsCertificate.extensions?.find((e) => e.extnID === id_pe_authorityInfoAccess)
  if (!ext) return []
  try {
    return AsnConvert.parse(ext.extnValue.buffer, AuthorityInfoAccessSyntax)
      .filter((a) => a.accessMethod === id_ad_ocsp && typeof a.accessLocation.uniformResourceIdentifier === 'string')
      .map((a) => a.accessLocation.uniformResourceIdentifier!)
  } catch {
    return []
  }
}

/** The CertID of `certificate` issued by `issuer`, hashed with `hashOid` (SHA-1 by default, as responders expect). */
export function certIdOf(certificateDer: Buffer, issuerDer: Buffer, hashOid: string = SHA1_OID): CertID {
  const alg = HASHES[hashOid]
  if (!alg) throw new OcspInvalid(`unsupported CertID hash ${hashOid}`)
  const issuer = parseCertificate(issuerDer).tbsCertificate
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: hashOid, parameters: null }),
    issuerNameHash: new OctetString(hash(alg, AsnConvert.serialize(issuer.subject))),
    issuerKeyHash: new OctetString(hash(alg, issuer.subjectPublicKeyInfo.subjectPublicKey)),
    serialNumber: parseCertificate(certificateDer).tbsCertificate.serialNumber,
  })
}

export const sameCertId = (a: CertID, b: CertID): boolean =>
  a.hashAlgorithm.algorithm === b.hashAlgorithm.algorithm &&
  buf(a.issuerNameHash.buffer).equals(buf(b.issuerNameHash.buffer)) &&
  buf(a.issuerKeyHash.buffer).equals(buf(b.issuerKeyHash.buffer)) &&
  serialBytes(a.serialNumber).equals(serialBytes(b.serialNumber))

/** The nonce extension: extnValue holds an OCTET STRING of the nonce (RFC 8954). */
export const nonceExtension = (nonce: Buffer): Extension =>
  new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))) })

/** Reads a nonce extension's value (the inner OCTET STRING; a responder that put the bare bytes is read as such). */
export function nonceOf(ext: Extension): Buffer {
  const raw = buf(ext.extnValue.buffer)
  try {
    return buf(AsnConvert.parse(raw, OctetString).buffer)
  } catch {
    return raw
  }
}

/** DER of an OCSPRequest for one certificate, with our nonce. */
export function buildOcspRequest(certificateDer: Buffer, issuerDer: Buffer, nonce: Buffer): Buffer {
  const request = new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: certIdOf(certificateDer, issuerDer) })],
      requestExtensions: [nonceExtension(nonce)],
    }),
  })
  return Buffer.from(AsnConvert.serialize(request))
}

/** The key that may sign answers about certificates of `issuer`: the issuer's own, or a delegated responder's. */
function responderKey(basic: BasicOCSPResponse, issuerDer: Buffer, now: Date): KeyObject {
  const issuer = parseCertificate(issuerDer)
  const rid = basic.tbsResponseData.responderID
  const named = (c: Certificate) =>
    rid.byName
      ? Buffer.from(AsnConvert.serialize(rid.byName)).equals(Buffer.from(AsnConvert.serialize(c.tbsCertificate.subject)))
      : rid.byKey
        ? buf(rid.byKey.buffer).equals(hash('sha1', c.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey))
        : false
  const issuerX = new X509Certificate(issuerDer)
  if (named(issuer)) return issuerX.publicKey
  for (const c of basic.certs ?? []) {
    if (!named(c)) continue
    const x = new X509Certificate(Buffer.from(AsnConvert.serialize(c)))
    if (!x.checkIssued(issuerX) || !x.verify(issuerX.publicKey)) throw new OcspInvalid('delegated responder not issued by the certificate issuer')
    if (now < new Date(x.validFrom) || now > new Date(x.validTo)) throw new OcspInvalid('responder certificate outside its validity')
    const eku = c.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage)
    const usages = eku ? [...AsnConvert.parse(eku.extnValue.buffer, ExtendedKeyUsage)] : []
    if (!usages.includes(id_kp_OCSPSigning)) throw new OcspInvalid('responder certificate without id-kp-OCSPSigning')
    return x.publicKey
  }
  throw new OcspInvalid('answer signed by neither the issuer nor a delegated responder')
}

/** Checks an OCSP answer (DER) about `certificate` (issued by `issuer`) for the request that carried `nonce`. */
export function checkOcspResponse(der: Buffer, q: { certificate: Buffer; issuer: Buffer; nonce: Buffer; now: Date }): OcspAnswer {
  let response: OCSPResponse
  let basic: BasicOCSPResponse
  try {
    response = AsnConvert.parse(der, OCSPResponse)
  } catch (e) {
    throw new OcspInvalid(`unreadable answer: ${(e as Error).message}`)
  }
  if (response.responseStatus !== OCSPResponseStatus.successful) {
    throw new OcspInvalid(`responder status ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}`)
  }
  if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) throw new OcspInvalid('not a basic OCSP answer')
  try {
    basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse)
  } catch (e) {
    throw new OcspInvalid(`unreadable basic answer: ${(e as Error).message}`)
  }
  const digest = SIGNATURE_DIGESTS[basic.signatureAlgorithm.algorithm]
  if (!digest || !basic.tbsResponseDataRaw) throw new OcspInvalid(`unsupported signature algorithm ${basic.signatureAlgorithm.algorithm}`)
  const key = responderKey(basic, q.issuer, q.now)
  if (!verifySignature(digest, Buffer.from(basic.tbsResponseDataRaw), key, Buffer.from(basic.signature))) throw new OcspInvalid('bad signature')

  const data = basic.tbsResponseData
  const nonce = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce)
  if (!nonce) throw new OcspInvalid('no nonce in the answer')
  if (!nonceOf(nonce).equals(q.nonce)) throw new OcspInvalid('nonce differs from the request')

  const single = data.responses.find((r) => {
    try {
      return sameCertId(r.certID, certIdOf(q.certificate, q.issuer, r.certID.hashAlgorithm.algorithm))
    } catch {
      return false
    }
  })
  if (!single) throw new OcspInvalid('no answer for this certificate')
  const now = q.now.getTime()
  if (single.thisUpdate.getTime() > now + CLOCK_SKEW_MS) throw new OcspInvalid('thisUpdate in the future')
  if (single.nextUpdate ? single.nextUpdate.getTime() < now - CLOCK_SKEW_MS : single.thisUpdate.getTime() < now - MAX_AGE_WITHOUT_NEXT_UPDATE_MS) {
    throw new OcspInvalid('stale answer')
  }
  if (single.certStatus.revoked) return { status: 'revoked', revokedAt: single.certStatus.revoked.revocationTime }
  if (single.certStatus.good !== undefined) return { status: 'good' }
  return { status: 'unknown' }
}
