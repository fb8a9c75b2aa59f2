// Server-side check of a card login with node-forge: the card's signature over the login payload (never the bare
// challenge: domain/card/login-payload.ts), the certificate chain to the roots configured FOR THAT KIND OF CARD,
// validity dates against `now`, revocation that fails closed, and the card kind. Returns the holder; refuses with
// coded DomainErrors.
//
// Trust store (TRUST_DIR), one folder per CA family, so a CA trusted for one kind of card cannot mint another:
//   hca/   roots and intermediates of the HCA (醫事憑證管理中心): professional and institution cards, told apart by the
//          subject-type attribute
//   gca/   roots and intermediates of the government CA (政府憑證管理中心): staff cards
//   crl/   CRLs (DER or PEM, *.crl / *.der / *.pem), each checked against the CA that signed it; CRL_FILE adds more
// Every file is re-read when the folder's files or mtimes change.
//
// Revocation fails closed, for every certificate of the chain (the card and each intermediate):
//   1. listed on a CRL signed by its issuer: CERT_REVOKED;
//   2. with an OCSP URL in its authorityInfoAccess: asked (domain/card/ocsp.ts, http/auth/ocsp-client.ts); a valid
//      answer `good` settles it, `revoked` is CERT_REVOKED; `unknown`, no valid answer or no responder reachable
//      falls back to 3;
//   3. a CRL signed by its issuer whose nextUpdate (plus a grace of CRL_GRACE_MS) is not past must cover it;
//      otherwise the login is refused with CERT_REVOCATION_UNKNOWN.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import forge from 'node-forge'
import { cardHolderOf, cardProfileProblem, certificateFromDer, certificateToDer, hcaKindOf, type CardHolder, type CardKind } from '../../domain/card/certificate-profile.js'
import { normalizeSerial, parseCrl, type ParsedCrl } from '../../domain/card/crl.js'
import { DomainError } from '../../domain/errors.js'
import { ocspUrlsOf } from '../../domain/card/ocsp.js'
import { askOcsp, type OcspClientOptions } from './ocsp-client.js'

const { pki } = forge

/** How long past its nextUpdate a CRL is still accepted (the CA's next CRL may be a little late to arrive). */
export const CRL_GRACE_MS = 60 * 60_000

export type CaFamily = 'hca' | 'gca'
const FAMILIES: readonly CaFamily[] = ['hca', 'gca']

export interface CardVerifierOptions {
  /** The trust store folder: hca/, gca/ and crl/ inside (see the header). */
  trustDir: string
  /** More CRL files, DER or PEM. */
  crlFile?: string | string[]
  /** Default CRL_GRACE_MS. */
  crlGraceMs?: number
  /** OCSP for certificates naming a responder: timeouts and size limit; `false` asks no responder (CRL only). */
  ocsp?: OcspClientOptions | false
  /** Told when a responder gave no valid answer (logging). */
  onOcspProblem?: (url: string, reason: string) => void
}

export interface CardLoginProof {
  /** The certificate the card returned, DER. */
  certificate: Buffer
  /** RSA PKCS#1 v1.5 signature over SHA-256(login payload), as the card computed it. */
  signature: Buffer
  /**
   * The login payloads the signature may be over: one per origin this site is reached by, rebuilt by the server from
   * its own origins and the challenge it issued (never taken from the client).
   */
  payloads: readonly Buffer[]
  /** The card kind(s) this login accepts. */
  wanted: CardKind | readonly CardKind[]
  now: Date
}

export interface CardVerifier {
  /** Checks a login proof; resolves to the holder or rejects with DomainError CERT_* / SIGNATURE_INVALID. */
  verify(proof: CardLoginProof): Promise<CardHolder>
}

const CERT_FILE = /\.(pem|crt|cer|der)$/i
const CRL_FILE = /\.(crl|der|pem)$/i

function readCertificates(file: string): forge.pki.Certificate[] {
  const bytes = readFileSync(file)
  const text = bytes.toString('latin1')
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return forge.pem
      .decode(text)
      .filter((m) => m.type === 'CERTIFICATE')
      .map((m) => certificateFromDer(Buffer.from(m.body, 'binary')))
  }
  return [certificateFromDer(bytes)]
}

interface FamilyStore {
  roots: forge.pki.Certificate[]
  all: forge.pki.Certificate[]
  caStore: forge.pki.CAStore
}

interface TrustStore {
  families: Partial<Record<CaFamily, FamilyStore>>
  crls: ParsedCrl[]
}

const filesIn = (dir: string, pattern: RegExp): string[] =>
  existsSync(dir) && statSync(dir).isDirectory()
    ? readdirSync(dir)
        .filter((f) => pattern.test(f))
        .sort()
        .map((f) => join(dir, f))
    : []

function loadFamily(dir: string): FamilyStore | undefined {
  const all = filesIn(dir, CERT_FILE).flatMap(readCertificates)
  if (!all.length) return undefined
  const roots = all.filter((c) => c.isIssuer(c))
  return { roots, all, caStore: pki.createCaStore(roots) }
}

function loadTrustStore(dir: string, extraCrls: readonly string[]): TrustStore {
  const families: TrustStore['families'] = {}
  for (const f of FAMILIES) {
    const store = loadFamily(join(dir, f))
    if (store) families[f] = store
  }
  if (!families.hca && !families.gca) {
    throw new Error(`trust store ${dir} holds no certificates in hca/ or gca/ (one folder per CA family, see README)`)
  }
  const cas = Object.values(families).flatMap((s) => s.all)
  const crls = [...filesIn(join(dir, 'crl'), CRL_FILE), ...extraCrls].map((file) => {
    const crl = parseCrl(readFileSync(file))
    // fail closed: a CRL we cannot authenticate must not pass for one
    if (!cas.some((ca) => crl.signedBy(ca))) throw new DomainError('INTERNAL', { crlFile: file }, `CRL ${file} is not signed by a CA of the trust store`)
    return crl
  })
  return { families, crls }
}

/** A stamp of every file the store is made of: names, sizes and mtimes. */
function stampOf(dir: string, extraCrls: readonly string[]): string {
  const files = [...FAMILIES.flatMap((f) => filesIn(join(dir, f), CERT_FILE)), ...filesIn(join(dir, 'crl'), CRL_FILE), ...extraCrls]
  return files
    .map((f) => {
      const st = statSync(f)
      return `${f}:${st.size}:${st.mtimeMs}:${st.ino}`
    })
    .join('|')
}

const verifiesChild = (parent: forge.pki.Certificate, child: forge.pki.Certificate) => {
  try {
    return child.isIssuer(parent) && parent.verify(child)
  } catch {
    return false
  }
}

/** leaf, then intermediates from the store, up to (not including) a root. Undefined when no path to a root. */
function buildChain(leaf: forge.pki.Certificate, store: FamilyStore): forge.pki.Certificate[] | undefined {
  const chain = [leaf]
  for (let depth = 0; depth < 8; depth++) {
    const last = chain[chain.length - 1]!
    if (store.roots.some((r) => verifiesChild(r, last))) return chain
    const next = store.all.find((c) => !c.isIssuer(c) && !chain.includes(c) && verifiesChild(c, last))
    if (!next) return undefined
    chain.push(next)
  }
  return undefined
}

const issuerOf = (chain: forge.pki.Certificate[], i: number, store: FamilyStore) =>
  chain[i + 1] ?? store.roots.find((r) => verifiesChild(r, chain[i]!))

const wantedList = (w: CardKind | readonly CardKind[]): readonly CardKind[] => (typeof w === 'string' ? [w] : w)

export function createCardVerifier(opts: CardVerifierOptions): CardVerifier {
  const extraCrls = opts.crlFile === undefined ? [] : typeof opts.crlFile === 'string' ? [opts.crlFile] : opts.crlFile
  const grace = opts.crlGraceMs ?? CRL_GRACE_MS
  let stamp = ''
  let store: TrustStore | undefined
  const trust = () => {
    const s = stampOf(opts.trustDir, extraCrls)
    if (s !== stamp || !store) {
      store = loadTrustStore(opts.trustDir, extraCrls)
      stamp = s
    }
    return store
  }
  trust() // a broken trust store stops start-up, not the first login

  /** Refuses a revoked certificate, and one whose status neither an OCSP answer nor a current CRL of `issuer` gives. */
  const checkRevocation = async (cert: forge.pki.Certificate, issuer: forge.pki.Certificate, crls: ParsedCrl[], now: Date) => {
    const serial = normalizeSerial(cert.serialNumber)
    const own = crls.filter((c) => c.signedBy(issuer))
    if (own.some((c) => c.revoked.has(serial))) throw new DomainError('CERT_REVOKED', { serial })
    const certDer = certificateToDer(cert)
    const urls = opts.ocsp === false ? [] : ocspUrlsOf(certDer)
    if (urls.length) {
      const answer = await askOcsp(urls, { certificate: certDer, issuer: certificateToDer(issuer), now }, opts.ocsp || {}, opts.onOcspProblem)
      if (answer?.status === 'good') return
      if (answer?.status === 'revoked') throw new DomainError('CERT_REVOKED', { serial, revokedAt: answer.revokedAt.toISOString(), by: 'ocsp' })
    }
    const current = own.filter((c) => c.thisUpdate.getTime() <= now.getTime() + 5 * 60_000 && c.nextUpdate && now.getTime() <= c.nextUpdate.getTime() + grace)
    if (!current.length) {
      const newest = own.map((c) => c.nextUpdate?.toISOString()).sort().pop()
      throw new DomainError('CERT_REVOCATION_UNKNOWN', {
        serial,
        issuer: issuer.subject.getField('CN')?.value ?? '',
        reason: `${urls.length ? 'no valid OCSP answer; ' : ''}${own.length ? `CRL past its nextUpdate (${newest ?? 'none'})` : 'no CRL of this issuer'}`,
      })
    }
  }

  return {
    async verify(proof) {
      let cert: forge.pki.Certificate
      try {
        cert = certificateFromDer(proof.certificate)
      } catch (e) {
        throw new DomainError('CERT_UNTRUSTED', { reason: `unreadable certificate: ${(e as Error).message}` })
      }
      const serial = normalizeSerial(cert.serialNumber)
      const ts = trust()
      let family: CaFamily | undefined
      let chain: forge.pki.Certificate[] | undefined
      for (const f of FAMILIES) {
        const fs = ts.families[f]
        chain = fs ? buildChain(cert, fs) : undefined
        if (chain) {
          family = f
          break
        }
      }
      if (!chain || !family) throw new DomainError('CERT_UNTRUSTED', { serial, reason: 'no path to a trusted root' })
      const fstore = ts.families[family]!

      const { notBefore, notAfter } = cert.validity
      if (proof.now < notBefore) throw new DomainError('CERT_NOT_YET_VALID', { serial, notBefore: notBefore.toISOString() })
      if (proof.now > notAfter) throw new DomainError('CERT_EXPIRED', { serial, notAfter: notAfter.toISOString() })
      try {
        pki.verifyCertificateChain(fstore.caStore, [...chain], { validityCheckDate: proof.now })
      } catch (e) {
        const err = e as { error?: string; message?: string }
        if (err.error === (pki as unknown as { certificateError: Record<string, string> }).certificateError.certificate_expired) {
          throw new DomainError('CERT_EXPIRED', { serial, reason: 'an issuing CA certificate is outside its validity' })
        }
        throw new DomainError('CERT_UNTRUSTED', { serial, reason: err.message ?? String(e) })
      }

      for (let i = 0; i < chain.length; i++) {
        const issuer = issuerOf(chain, i, fstore)
        if (!issuer) throw new DomainError('CERT_UNTRUSTED', { serial, reason: 'issuer not found' })
        await checkRevocation(chain[i]!, issuer, ts.crls, proof.now)
      }

      let ok = false
      for (const payload of proof.payloads) {
        const md = forge.md.sha256.create()
        md.update(payload.toString('binary'))
        try {
          ok = (cert.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), proof.signature.toString('binary'))
        } catch {
          ok = false
        }
        if (ok) break
      }
      if (!ok) throw new DomainError('SIGNATURE_INVALID', { serial })

      const wanted = wantedList(proof.wanted)
      const kind: CardKind | undefined = family === 'gca' ? 'staff' : hcaKindOf(cert)
      if (!kind || !wanted.includes(kind)) throw new DomainError('CERT_WRONG_TYPE', { serial, kind: kind ?? null, wanted })
      const problem = cardProfileProblem(cert)
      if (problem) throw new DomainError('CERT_PROFILE_INVALID', { serial, reason: problem }, [problem])
      const holder = cardHolderOf(cert, kind)
      if (!holder) throw new DomainError('CERT_WRONG_TYPE', { serial, kind })
      return holder
    },
  }
}
