// TEST DOUBLE of a CA's OCSP responder (e.g. the HCA's): RFC 6960 over HTTP (POST application/ocsp-request, and
// GET /<base64 request> per Appendix A.1), answering for one issuing CA of the demo PKI. It signs as the CA itself or
// as a delegated responder (a certificate the CA issues with id-kp-OCSPSigning), echoes the request's nonce, and can
// be told to misbehave the ways a real one can: down, a stranger's signature, a responder certificate without
// id-kp-OCSPSigning, no nonce, a stale answer. Not a real responder: no pre-produced answers, no CertID hash other
// than what the request used.
import { createServer, type Server } from 'node:http'
import { sign as rsaSign } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import forge from 'node-forge'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509'
import {
  BasicOCSPResponse, CertStatus, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPRequest, OCSPResponse, OCSPResponseStatus,
  ResponderID, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
} from '@peculiar/asn1-ocsp'
import { certIdOf, sameCertId } from '../../domain/card/ocsp.js'
import { normalizeSerial } from '../../domain/card/crl.js'

type Keyed = { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }

export interface OcspResponderState {
  /** Status by certificate serial (lowercase hex); a serial not listed is `good`. */
  status: Map<string, 'good' | 'revoked' | 'unknown'>
  /** Answer HTTP 503 to everything. */
  down: boolean
  /** Who signs: the CA, a delegated responder, a key the CA never certified, a CA-issued certificate without the EKU. */
  signer: 'ca' | 'delegated' | 'stranger' | 'delegated-without-eku'
  echoNonce: boolean
  /** Added to thisUpdate / nextUpdate (negative: a stale answer). */
  shiftMs: number
  /** Requests answered so far. */
  requests: number
}

export interface OcspResponderDouble {
  url: string
  state: OcspResponderState
  close(): Promise<void>
}

const toDer = (c: forge.pki.Certificate) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary')

function responderCertificate(issuer: Keyed, withEku: boolean, selfSigned = false): Keyed {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 })
  const cert = forge.pki.createCertificate()
  cert.serialNumber = withEku ? '0c5b01' : '0c5b02'
  cert.publicKey = keys.publicKey
  cert.validity.notBefore = new Date(Date.now() - 86400_000)
  cert.validity.notAfter = new Date(Date.now() + 30 * 86400_000)
  cert.setSubject([{ shortName: 'C', value: 'TW' }, { shortName: 'CN', value: `OCSP responder (test double)${withEku ? '' : ' without EKU'}` }])
  cert.setIssuer(selfSigned ? cert.subject.attributes : issuer.cert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true },
    ...(withEku ? [{ name: 'extKeyUsage', '1.3.6.1.5.5.7.3.9': true }] : []),
  ])
  cert.sign(selfSigned ? keys.privateKey : issuer.key, forge.md.sha256.create())
  return { cert, key: keys.privateKey }
}

export async function startOcspResponder(issuer: Keyed): Promise<OcspResponderDouble> {
  const state: OcspResponderState = { status: new Map(), down: false, signer: 'ca', echoNonce: true, shiftMs: 0, requests: 0 }
  const issuerDer = toDer(issuer.cert)
  const delegated = responderCertificate(issuer, true)
  const noEku = responderCertificate(issuer, false)
  const stranger = responderCertificate(issuer, true, true)

  const answer = (body: Buffer): Buffer => {
    const request = AsnConvert.parse(body, OCSPRequest)
    const now = Date.now() + state.shiftMs
    const responses = request.tbsRequest.requestList.map((r) => {
      const serial = normalizeSerial(Buffer.from(r.reqCert.serialNumber).toString('hex'))
      // a CertID naming another issuer is answered `unknown`, as a responder does for a CA it does not serve
      const ours = (() => {
        try {
          return sameCertId(r.reqCert, { ...certIdOf(issuerDer, issuerDer, r.reqCert.hashAlgorithm.algorithm), serialNumber: r.reqCert.serialNumber })
        } catch {
          return false
        }
      })()
      const status = ours ? state.status.get(serial) ?? 'good' : 'unknown'
      return new SingleResponse({
        certID: r.reqCert,
        certStatus: new CertStatus(
          status === 'good' ? { good: null } : status === 'revoked' ? { revoked: new RevokedInfo({ revocationTime: new Date(now - 86400_000) }) } : { unknown: null },
        ),
        thisUpdate: new Date(now - 60_000),
        nextUpdate: new Date(now + 3600_000),
      })
    })
    const signer = state.signer === 'ca' ? issuer : state.signer === 'delegated' ? delegated : state.signer === 'stranger' ? stranger : noEku
    const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce)
    const tbs = new ResponseData({
      responderID: new ResponderID({ byName: AsnConvert.parse(toDer(signer.cert), Certificate).tbsCertificate.subject }),
      producedAt: new Date(now),
      responses,
      ...(state.echoNonce && nonce ? { responseExtensions: [nonce] } : {}),
    })
    const signature = rsaSign('sha256', Buffer.from(AsnConvert.serialize(tbs)), forge.pki.privateKeyToPem(signer.key))
    const basic = new BasicOCSPResponse({
      tbsResponseData: tbs,
      signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: null }),
      signature: new Uint8Array(signature).buffer,
      ...(signer === issuer ? {} : { certs: [AsnConvert.parse(toDer(signer.cert), Certificate)] }),
    })
    return Buffer.from(AsnConvert.serialize(new OCSPResponse({
      responseStatus: OCSPResponseStatus.successful,
      responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
    })))
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > 16_384) req.destroy()
      else chunks.push(c)
    })
    req.on('end', () => {
      if (state.down) {
        res.writeHead(503).end()
        return
      }
      try {
        const body = req.method === 'GET' ? Buffer.from(decodeURIComponent((req.url ?? '/').slice(1)), 'base64') : Buffer.concat(chunks)
        const der = answer(body)
        state.requests++
        res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': der.length }).end(der)
      } catch {
        const bad = Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: OCSPResponseStatus.malformedRequest })))
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(bad)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/ocsp`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
