// The demo / test PKI, made with node-forge on first use: a test root CA, an issuing CA under it (as the real HCA has
// a root and an issuing CA), card certificates for demo holders and a CRL. NOT for production: the private keys of the
// demo cards sit on disk so the virtual cards can sign with them.
//
// Layout of `dir` (default DATA_DIR/pki):
//   trust/root-ca.pem, trust/issuing-ca.pem   the trust store folder for the server (TRUST_DIR)
//   crl.der                                   the CRL of the issuing CA (CRL_FILE)
//   ca/root-ca.key.pem, ca/issuing-ca.key.pem CA keys
//   ca/revoked.json                           [{ serial, revokedAt }] the CRL is made from
//   cards/<kind>-<holderId>.json              one demo card: holder, PIN, certificate PEM, private key PEM
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import forge from 'node-forge'
import { CARD_KINDS, type CardKind, certificateToDer, subjectDirectoryAttributesDer } from '../../domain/card/certificate-profile.js'
import { buildCrl, normalizeSerial } from '../../domain/card/crl.js'

const { pki } = forge

export interface DemoPki {
  dir: string
  trustDir: string
  crlFile: string
  root: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }
  issuing: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }
}

export interface DemoCardRequest {
  kind: CardKind
  /** National/resident ID (professional), institution code (institution) or staff id (staff). */
  holderId: string
  name: string
  /** OU of the subject: for staff, the county code of the health bureau. */
  unit?: string
  /** Default DEMO_PIN ('123456'). */
  pin?: string
  notBefore?: Date
  notAfter?: Date
  /** Professionals: also make a virtual NHI card for this holder (birth date ROC yyyMMdd, sex 'M'/'F'). */
  nhi?: DemoNhiCard
}

export interface DemoNhiCard {
  cardNumber: string
  birthDate: string
  sex: string
  /** ROC yyyMMdd; default 1100101. */
  issueDate?: string
}

export interface DemoCard {
  /** `<kind>-<holderId>`: the file name and the id the virtual-card rack uses. */
  id: string
  kind: CardKind
  holderId: string
  name: string
  unit?: string
  pin: string
  serial: string
  nhi?: DemoNhiCard
  certificatePem: string
  privateKeyPem: string
}

export const defaultPkiDir = (): string => join(process.env.DATA_DIR ?? './data', 'pki')

const newKey = (bits = 2048) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 })
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
  const key = pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey
  return { key, publicKey: pki.setRsaPublicKey(key.n, key.e), pem }
}

/** A positive random serial, lowercase hex (16 bytes, high bit clear). */
const newSerial = () => {
  const b = randomBytes(16)
  b[0] = (b[0]! & 0x7f) | 0x10
  return b.toString('hex')
}

const years = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate()))

function makeCa(opts: {
  cn: string
  publicKey: forge.pki.rsa.PublicKey
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }
  selfKey: forge.pki.rsa.PrivateKey
  notBefore: Date
  notAfter: Date
}): forge.pki.Certificate {
  const cert = pki.createCertificate()
  cert.serialNumber = newSerial()
  cert.publicKey = opts.publicKey
  cert.validity.notBefore = opts.notBefore
  cert.validity.notAfter = opts.notAfter
  const subject = [
    { shortName: 'C', value: 'TW' },
    { shortName: 'O', value: 'baobei demo PKI (NOT TRUSTED)' },
    { shortName: 'CN', value: opts.cn },
  ]
  cert.setSubject(subject)
  cert.setIssuer(opts.issuer ? opts.issuer.cert.subject.attributes : subject)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(opts.issuer ? opts.issuer.key : opts.selfKey, forge.md.sha256.create())
  return cert
}

const paths = (dir: string) => ({
  trustDir: join(dir, 'trust'),
  rootCert: join(dir, 'trust', 'root-ca.pem'),
  issuingCert: join(dir, 'trust', 'issuing-ca.pem'),
  rootKey: join(dir, 'ca', 'root-ca.key.pem'),
  issuingKey: join(dir, 'ca', 'issuing-ca.key.pem'),
  revoked: join(dir, 'ca', 'revoked.json'),
  crl: join(dir, 'crl.der'),
  cards: join(dir, 'cards'),
})

function writeAtomic(file: string, data: string | Buffer) {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

function loadPki(dir: string): DemoPki {
  const p = paths(dir)
  return {
    dir,
    trustDir: p.trustDir,
    crlFile: p.crl,
    root: {
      cert: pki.certificateFromPem(readFileSync(p.rootCert, 'utf8')),
      key: pki.privateKeyFromPem(readFileSync(p.rootKey, 'utf8')) as forge.pki.rsa.PrivateKey,
    },
    issuing: {
      cert: pki.certificateFromPem(readFileSync(p.issuingCert, 'utf8')),
      key: pki.privateKeyFromPem(readFileSync(p.issuingKey, 'utf8')) as forge.pki.rsa.PrivateKey,
    },
  }
}

/**
 * Loads the demo PKI in `dir`, creating it first if it is not there. Creation happens in a temporary folder renamed
 * into place, so two processes starting together end up sharing one PKI.
 */
export function ensureDemoPki(dir: string = defaultPkiDir(), now: Date = new Date()): DemoPki {
  if (existsSync(paths(dir).crl)) return loadPki(dir)
  const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const t = paths(tmp)
  for (const d of [t.trustDir, join(tmp, 'ca'), t.cards]) mkdirSync(d, { recursive: true })
  const rootKey = newKey()
  const notBefore = years(now, -5) // CAs predate every demo card, also the back-dated test ones
  const root = makeCa({ cn: 'baobei demo root CA', publicKey: rootKey.publicKey, selfKey: rootKey.key, notBefore, notAfter: years(now, 20) })
  const issuingKey = newKey()
  const issuing = makeCa({
    cn: 'baobei demo issuing CA (HCA stand-in)',
    publicKey: issuingKey.publicKey,
    selfKey: issuingKey.key,
    issuer: { cert: root, key: rootKey.key },
    notBefore,
    notAfter: years(now, 15),
  })
  writeFileSync(t.rootCert, pki.certificateToPem(root))
  writeFileSync(t.issuingCert, pki.certificateToPem(issuing))
  writeFileSync(t.rootKey, rootKey.pem, { mode: 0o600 })
  writeFileSync(t.issuingKey, issuingKey.pem, { mode: 0o600 })
  writeFileSync(t.revoked, '[]\n')
  writeFileSync(t.crl, buildCrl({ issuer: issuing, issuerKey: issuingKey.key, revoked: [], thisUpdate: notBefore, nextUpdate: years(now, 1) }))
  mkdirSync(join(dir, '..'), { recursive: true })
  try {
    renameSync(tmp, dir)
  } catch {
    rmSync(tmp, { recursive: true, force: true }) // someone else made it first (or dir exists but is incomplete)
    if (!existsSync(paths(dir).crl)) throw new Error(`demo PKI: ${dir} exists but holds no PKI (no crl.der); remove it`)
  }
  return loadPki(dir)
}

const cardId = (kind: CardKind, holderId: string) => `${kind}-${holderId}`

/** The PIN of every demo card unless its request says otherwise. */
export const DEMO_PIN = '123456'

/**
 * Issues (or returns the already issued) demo card for a holder. Idempotent per (kind, holderId): a second call
 * returns the stored card unchanged (only an NHI card missing from it is added), so seeds can call it on every
 * start. Pass validity dates to make test cards.
 */
export function issueDemoCard(req: DemoCardRequest, opts: { dir?: string; now?: Date } = {}): DemoCard {
  if (!CARD_KINDS.includes(req.kind)) throw new Error(`demo PKI: unknown card kind ${String(req.kind)}`)
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(req.holderId)) throw new Error(`demo PKI: holderId must be 1-40 letters/digits: ${req.holderId}`)
  const ca = ensureDemoPki(opts.dir, opts.now)
  const file = join(paths(ca.dir).cards, `${cardId(req.kind, req.holderId)}.json`)
  if (existsSync(file)) {
    const have = JSON.parse(readFileSync(file, 'utf8')) as DemoCard
    // a card issued before its holder got an NHI card: add it (the PKI part stays as issued)
    if (req.nhi && !have.nhi) {
      const withNhi: DemoCard = { ...have, nhi: req.nhi }
      writeAtomic(file, `${JSON.stringify(withNhi, null, 2)}\n`)
      return withNhi
    }
    return have
  }
  const now = opts.now ?? new Date()
  const key = newKey()
  const cert = pki.createCertificate()
  const serial = newSerial()
  cert.serialNumber = serial
  cert.publicKey = key.publicKey
  cert.validity.notBefore = req.notBefore ?? new Date(now.getTime() - 24 * 3600_000)
  cert.validity.notAfter = req.notAfter ?? years(now, 5)
  const UTF8 = forge.asn1.Type.UTF8
  cert.setSubject([
    { shortName: 'C', value: 'TW' },
    ...(req.unit ? [{ shortName: 'OU', value: req.unit, valueTagClass: UTF8 }] : []),
    { shortName: 'CN', value: req.name, valueTagClass: UTF8 },
    { type: '2.5.4.5', value: req.holderId },
  ] as forge.pki.CertificateField[])
  cert.setIssuer(ca.issuing.cert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.issuing.cert.generateSubjectKeyIdentifier().getBytes() },
    { id: '2.5.29.9', critical: false, value: subjectDirectoryAttributesDer(req.kind) },
  ])
  cert.sign(ca.issuing.key, forge.md.sha256.create())
  certificateToDer(cert) // fails early if forge cannot encode it
  const card: DemoCard = {
    id: cardId(req.kind, req.holderId),
    kind: req.kind,
    holderId: req.holderId,
    name: req.name,
    ...(req.unit ? { unit: req.unit } : {}),
    pin: req.pin ?? DEMO_PIN,
    serial,
    ...(req.nhi ? { nhi: req.nhi } : {}),
    certificatePem: pki.certificateToPem(cert),
    privateKeyPem: key.pem,
  }
  writeAtomic(file, `${JSON.stringify(card, null, 2)}\n`)
  return card
}

/** Every demo card issued in `dir`, by id. */
export function listDemoCards(dir: string = defaultPkiDir()): DemoCard[] {
  const cards = paths(dir).cards
  if (!existsSync(cards)) return []
  return readdirSync(cards)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(cards, f), 'utf8')) as DemoCard)
}

/** Adds a serial to the CRL and rewrites crl.der (atomically, so a server watching its mtime reloads it). */
export function revokeDemoCard(serial: string, opts: { dir?: string; now?: Date } = {}): void {
  const ca = ensureDemoPki(opts.dir)
  const p = paths(ca.dir)
  const now = opts.now ?? new Date()
  const revoked = JSON.parse(readFileSync(p.revoked, 'utf8')) as Array<{ serial: string; revokedAt: string }>
  if (!revoked.some((r) => normalizeSerial(r.serial) === normalizeSerial(serial))) revoked.push({ serial, revokedAt: now.toISOString() })
  writeAtomic(p.revoked, `${JSON.stringify(revoked, null, 2)}\n`)
  writeAtomic(
    p.crl,
    buildCrl({
      issuer: ca.issuing.cert,
      issuerKey: ca.issuing.key,
      revoked: revoked.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt) })),
      thisUpdate: now,
      nextUpdate: years(now, 1),
    }),
  )
}
