// Server-side check of a card login with node-forge: the card's signature over the challenge, the certificate chain
// to the configured trust store (roots + intermediates), validity dates against `now`, revocation by the configured
// CRL(s) (reloaded when their mtime changes, signature checked) and the subject type (professional / institution /
// staff). Returns the holder; refuses with coded DomainErrors.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import forge from 'node-forge'
import { DomainError } from '../../domain/errors.js'
import { cardHolderOf, cardKindOf, certificateFromDer, type CardHolder, type CardKind } from '../../domain/card/certificate-profile.js'
import { normalizeSerial, parseCrl, type ParsedCrl } from '../../domain/card/crl.js'

const { pki } = forge

export interface CardVerifierOptions {
  /** Folder of trusted certificates (PEM, possibly several per file, or DER): self-signed roots and intermediates. */
  trustDir: string
  /** CRL file(s), DER or PEM. Without one, revocation is not checked (log that at start-up). */
  crlFile?: string | string[]
}

export interface CardLoginProof {
  /** The certificate the card returned, DER. */
  certificate: Buffer
  /** RSA PKCS#1 v1.5 signature over SHA-256(challenge), as the card computed it. */
  signature: Buffer
  /** The challenge bytes the server issued (from ChallengeStore.consume). */
  challenge: Buffer
  /** The card kind(s) this login accepts. */
  wanted: CardKind | readonly CardKind[]
  now: Date
}

export interface CardVerifier {
  /** Checks a login proof; returns the holder or throws DomainError CERT_* / SIGNATURE_INVALID. */
  verify(proof: CardLoginProof): CardHolder
}

const CERT_FILE = /\.(pem|crt|cer|der)$/i

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

/** Re-reads a file only when its mtime (or size) changes. */
function watched<T>(file: string, load: (file: string) => T): () => T {
  let stamp = ''
  let value: T | undefined
  return () => {
    const st = statSync(file)
    const s = `${st.mtimeMs}:${st.size}:${st.ino}`
    if (s !== stamp || value === undefined) {
      value = load(file)
      stamp = s
    }
    return value
  }
}

interface TrustStore {
  roots: forge.pki.Certificate[]
  all: forge.pki.Certificate[]
  caStore: forge.pki.CAStore
}

function loadTrustStore(dir: string): TrustStore {
  const all = readdirSync(dir)
    .filter((f) => CERT_FILE.test(f))
    .sort()
    .flatMap((f) => readCertificates(join(dir, f)))
  if (!all.length) throw new Error(`trust store ${dir} holds no certificates`)
  const roots = all.filter((c) => c.isIssuer(c))
  return { roots, all, caStore: pki.createCaStore(roots) }
}

const verifiesChild = (parent: forge.pki.Certificate, child: forge.pki.Certificate) => {
  try {
    return child.isIssuer(parent) && parent.verify(child)
  } catch {
    return false
  }
}

/** leaf, then intermediates from the store, up to (not including) a root. Undefined when no path to a root. */
function buildChain(leaf: forge.pki.Certificate, store: TrustStore): forge.pki.Certificate[] | undefined {
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

const wantedList = (w: CardKind | readonly CardKind[]): readonly CardKind[] => (typeof w === 'string' ? [w] : w)

export function createCardVerifier(opts: CardVerifierOptions): CardVerifier {
  const trust = (() => {
    let stamp = ''
    let store: TrustStore | undefined
    return () => {
      const files = readdirSync(opts.trustDir).filter((f) => CERT_FILE.test(f)).sort()
      const s = files.map((f) => `${f}:${statSync(join(opts.trustDir, f)).mtimeMs}`).join('|')
      if (s !== stamp || !store) {
        store = loadTrustStore(opts.trustDir)
        stamp = s
      }
      return store
    }
  })()
  const crlFiles = opts.crlFile === undefined ? [] : typeof opts.crlFile === 'string' ? [opts.crlFile] : opts.crlFile
  const crls = crlFiles.map((file) =>
    watched(file, (f) => {
      const crl = parseCrl(readFileSync(f))
      const store = trust()
      if (!store.all.some((ca) => crl.signedBy(ca))) {
        // fail closed: a CRL we cannot authenticate must not silently disable revocation
        throw new DomainError('INTERNAL', { crlFile: f }, `CRL ${f} is not signed by a CA of the trust store`)
      }
      return crl
    }),
  )

  return {
    verify(proof) {
      let cert: forge.pki.Certificate
      try {
        cert = certificateFromDer(proof.certificate)
      } catch (e) {
        throw new DomainError('CERT_UNTRUSTED', { reason: `unreadable certificate: ${(e as Error).message}` })
      }
      const serial = normalizeSerial(cert.serialNumber)
      const store = trust()
      const chain = buildChain(cert, store)
      if (!chain) throw new DomainError('CERT_UNTRUSTED', { serial, reason: 'no path to a trusted root' })

      const { notBefore, notAfter } = cert.validity
      if (proof.now < notBefore) throw new DomainError('CERT_NOT_YET_VALID', { serial, notBefore: notBefore.toISOString() })
      if (proof.now > notAfter) throw new DomainError('CERT_EXPIRED', { serial, notAfter: notAfter.toISOString() })
      try {
        pki.verifyCertificateChain(store.caStore, [...chain], { validityCheckDate: proof.now })
      } catch (e) {
        const err = e as { error?: string; message?: string }
        if (err.error === (pki as unknown as { certificateError: Record<string, string> }).certificateError.certificate_expired) {
          throw new DomainError('CERT_EXPIRED', { serial, reason: 'an issuing CA certificate is outside its validity' })
        }
        throw new DomainError('CERT_UNTRUSTED', { serial, reason: err.message ?? String(e) })
      }

      const issuer = chain[1] ?? store.roots.find((r) => verifiesChild(r, cert))
      for (const get of crls) {
        const crl: ParsedCrl = get()
        if (issuer && crl.signedBy(issuer) && crl.revoked.has(serial)) throw new DomainError('CERT_REVOKED', { serial })
      }

      const md = forge.md.sha256.create()
      md.update(proof.challenge.toString('binary'))
      let ok = false
      try {
        ok = (cert.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), proof.signature.toString('binary'))
      } catch {
        ok = false
      }
      if (!ok) throw new DomainError('SIGNATURE_INVALID', { serial })

      const wanted = wantedList(proof.wanted)
      const kind = cardKindOf(cert)
      if (!kind || !wanted.includes(kind)) throw new DomainError('CERT_WRONG_TYPE', { serial, kind: kind ?? null, wanted })
      const holder = cardHolderOf(cert)
      if (!holder) throw new DomainError('CERT_WRONG_TYPE', { serial, reason: 'no serialNumber in the subject' })
      return holder
    },
  }
}
