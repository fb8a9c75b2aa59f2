// The demo / test PKI, made with node-forge on first use. Two certificate families, as the real cards have:
//   HCA stand-in  (醫事憑證管理中心): a root and an issuing CA; professional and institution cards, told apart by the
//                 subject-type attribute (2.16.886.1.100.3.1.7 / 2.16.886.1.100.3.2.21)
//   GCA stand-in  (政府憑證管理中心): a root and an issuing CA; staff cards, mapped to staff accounts by issuer + serial
// Each CA publishes a CRL (the roots' cover the issuing CAs, the issuing CAs' cover the cards), so the server's
// fail-closed revocation check has a CRL for every CA of every chain. NOT for production: the private keys of the
// demo cards sit on disk so the virtual cards (and the test tokens) can hold them.
//
// Layout of `dir` (default DATA_DIR/pki), which is the TRUST_DIR layout the server reads (README, 登入):
//   trust/hca/root-ca.pem, trust/hca/issuing-ca.pem   roots and intermediates trusted for professional/institution cards
//   trust/gca/root-ca.pem, trust/gca/issuing-ca.pem   roots and intermediates trusted for staff cards
//   trust/crl/<family>-<ca>.crl                       one CRL per CA (DER)
//   ca/<family>-<ca>.key.pem                          CA keys
//   ca/revoked.json                                   [{ serial, revokedAt, family }] the issuing CRLs are made from
//   cards/<kind>-<holderId>.json                      one demo card: holder, PIN, certificate PEM, private key PEM
//   layout-v2                                         marks this layout (an older single-family PKI is set aside)
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import forge from 'node-forge'
import { CARD_KINDS, type CardKind, certificateToDer, subjectDirectoryAttributesDer } from '../../domain/card/certificate-profile.js'
import { buildCrl, normalizeSerial } from '../../domain/card/crl.js'

const { pki } = forge

export type PkiFamily = 'hca' | 'gca'
export const PKI_FAMILIES: readonly PkiFamily[] = ['hca', 'gca']
/** Which CA family issues a card kind. */
export const familyOf = (kind: CardKind): PkiFamily => (kind === 'staff' ? 'gca' : 'hca')

interface KeyedCert {
  cert: forge.pki.Certificate
  key: forge.pki.rsa.PrivateKey
}

export interface DemoCaFamily {
  root: KeyedCert
  issuing: KeyedCert
}

export interface DemoPki {
  dir: string
  /** The TRUST_DIR for the server: hca/, gca/ and crl/ inside. */
  trustDir: string
  /** The HCA issuing CA's CRL (the one that lists revoked professional and institution cards). */
  crlFile: string
  /** The HCA family (kept as root/issuing for callers that know one family). */
  root: KeyedCert
  issuing: KeyedCert
  families: Record<PkiFamily, DemoCaFamily>
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
  /**
   * Test shapes of the certificate (README 登入, 卡片憑證的欄位). subjectSerialNumber: what the subject's serialNumber
   * says (default holderId; null: none, as a card whose certificate names no ID). keyUsage 'encryption': the card's
   * encryption certificate (keyEncipherment only). subjectKinds: the subject-type OIDs carried (default [kind]).
   * ocspUrl: an AIA id-ad-ocsp URL.
   */
  profile?: { subjectSerialNumber?: string | null; keyUsage?: 'signature' | 'encryption'; subjectKinds?: CardKind[]; ocspUrl?: string }
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

const FAMILY_NAME: Record<PkiFamily, { o: string; root: string; issuing: string }> = {
  hca: { o: 'baobei demo PKI (NOT TRUSTED)', root: 'baobei demo root CA', issuing: 'baobei demo issuing CA (HCA stand-in)' },
  gca: { o: 'baobei demo government PKI (NOT TRUSTED)', root: 'baobei demo GCA root CA', issuing: 'baobei demo issuing CA (GCA stand-in)' },
}

function makeCa(opts: {
  o: string
  cn: string
  publicKey: forge.pki.rsa.PublicKey
  issuer?: KeyedCert
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
    { shortName: 'O', value: opts.o },
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
  crlDir: join(dir, 'trust', 'crl'),
  cert: (f: PkiFamily, ca: 'root' | 'issuing') => join(dir, 'trust', f, `${ca}-ca.pem`),
  key: (f: PkiFamily, ca: 'root' | 'issuing') => join(dir, 'ca', `${f}-${ca}.key.pem`),
  crl: (f: PkiFamily, ca: 'root' | 'issuing') => join(dir, 'trust', 'crl', `${f}-${ca}.crl`),
  revoked: join(dir, 'ca', 'revoked.json'),
  marker: join(dir, 'layout-v2'),
  cards: join(dir, 'cards'),
})

function writeAtomic(file: string, data: string | Buffer) {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, data, { mode: 0o600 }) // card files hold private keys: owner only
  renameSync(tmp, file)
}

function loadPki(dir: string): DemoPki {
  const p = paths(dir)
  const load = (f: PkiFamily, ca: 'root' | 'issuing'): KeyedCert => ({
    cert: pki.certificateFromPem(readFileSync(p.cert(f, ca), 'utf8')),
    key: pki.privateKeyFromPem(readFileSync(p.key(f, ca), 'utf8')) as forge.pki.rsa.PrivateKey,
  })
  const families = {
    hca: { root: load('hca', 'root'), issuing: load('hca', 'issuing') },
    gca: { root: load('gca', 'root'), issuing: load('gca', 'issuing') },
  }
  return { dir, trustDir: p.trustDir, crlFile: p.crl('hca', 'issuing'), root: families.hca.root, issuing: families.hca.issuing, families }
}

interface RevokedEntry {
  serial: string
  revokedAt: string
  family?: PkiFamily
}

/** Rewrites every CRL of the PKI (atomically, so a server watching their mtimes reloads them). */
function writeCrls(dir: string, families: Record<PkiFamily, DemoCaFamily>, revoked: RevokedEntry[], thisUpdate: Date, nextUpdate: Date) {
  const p = paths(dir)
  for (const f of PKI_FAMILIES) {
    const { root, issuing } = families[f]
    const mine = revoked.filter((r) => (r.family ?? 'hca') === f).map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt) }))
    writeAtomic(p.crl(f, 'root'), buildCrl({ issuer: root.cert, issuerKey: root.key, revoked: [], thisUpdate, nextUpdate }))
    writeAtomic(p.crl(f, 'issuing'), buildCrl({ issuer: issuing.cert, issuerKey: issuing.key, revoked: mine, thisUpdate, nextUpdate }))
  }
}

/**
 * Loads the demo PKI in `dir`, creating it first if it is not there. Creation happens in a temporary folder renamed
 * into place, so two processes starting together end up sharing one PKI. A PKI of the older single-family layout is
 * moved aside (`<dir>.v1-<time>`) and a new one made; the demo seed issues its cards again.
 */
export function ensureDemoPki(dir: string = defaultPkiDir(), now: Date = new Date()): DemoPki {
  if (existsSync(paths(dir).marker)) return loadPki(dir)
  if (existsSync(join(dir, 'crl.der'))) {
    try {
      renameSync(dir, `${dir}.v1-${Date.now()}`)
    } catch {
      /* another process moved it first */
    }
  }
  const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const t = paths(tmp)
  for (const d of [join(t.trustDir, 'hca'), join(t.trustDir, 'gca'), t.crlDir, join(tmp, 'ca'), t.cards]) mkdirSync(d, { recursive: true, mode: 0o700 })
  const notBefore = years(now, -5) // CAs predate every demo card, also the back-dated test ones
  const make = (f: PkiFamily): DemoCaFamily => {
    const rootKey = newKey()
    const rootCert = makeCa({ o: FAMILY_NAME[f].o, cn: FAMILY_NAME[f].root, publicKey: rootKey.publicKey, selfKey: rootKey.key, notBefore, notAfter: years(now, 20) })
    const issuingKey = newKey()
    const issuingCert = makeCa({
      o: FAMILY_NAME[f].o,
      cn: FAMILY_NAME[f].issuing,
      publicKey: issuingKey.publicKey,
      selfKey: issuingKey.key,
      issuer: { cert: rootCert, key: rootKey.key },
      notBefore,
      notAfter: years(now, 15),
    })
    writeFileSync(t.cert(f, 'root'), pki.certificateToPem(rootCert))
    writeFileSync(t.cert(f, 'issuing'), pki.certificateToPem(issuingCert))
    writeFileSync(t.key(f, 'root'), rootKey.pem, { mode: 0o600 })
    writeFileSync(t.key(f, 'issuing'), issuingKey.pem, { mode: 0o600 })
    return { root: { cert: rootCert, key: rootKey.key }, issuing: { cert: issuingCert, key: issuingKey.key } }
  }
  const families = { hca: make('hca'), gca: make('gca') }
  writeFileSync(t.revoked, '[]\n')
  writeCrls(tmp, families, [], notBefore, years(now, 1))
  writeFileSync(t.marker, 'hca+gca, one CRL per CA\n')
  mkdirSync(join(dir, '..'), { recursive: true })
  try {
    renameSync(tmp, dir)
  } catch {
    rmSync(tmp, { recursive: true, force: true }) // someone else made it first (or dir exists but is incomplete)
    if (!existsSync(paths(dir).marker)) throw new Error(`demo PKI: ${dir} exists but holds no PKI (no layout-v2); remove it`)
  }
  return loadPki(dir)
}

const AIA_OID = '1.3.6.1.5.5.7.1.1'

/** authorityInfoAccess with one id-ad-ocsp accessLocation (RFC 5280 §4.2.2.1), DER as a forge binary string. */
function ocspAiaDer(url: string): string {
  const { asn1 } = forge
  return asn1
    .toDer(
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('1.3.6.1.5.5.7.48.1').getBytes()),
          asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, url),
        ]),
      ]),
    )
    .getBytes()
}

const cardId = (kind: CardKind, holderId: string) => `${kind}-${holderId}`

/** The PIN of every demo card unless its request says otherwise. */
export const DEMO_PIN = '123456'

/**
 * Issues (or returns the already issued) demo card for a holder. Idempotent per (kind, holderId): a second call
 * returns the stored card unchanged (only an NHI card missing from it is added), so seeds can call it on every
 * start. Pass validity dates to make test cards. Staff cards come from the GCA stand-in, the others from the HCA one.
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
  const issuing = ca.families[familyOf(req.kind)].issuing
  const key = newKey()
  const cert = pki.createCertificate()
  const serial = newSerial()
  cert.serialNumber = serial
  cert.publicKey = key.publicKey
  cert.validity.notBefore = req.notBefore ?? new Date(now.getTime() - 24 * 3600_000)
  cert.validity.notAfter = req.notAfter ?? years(now, 5)
  const UTF8 = forge.asn1.Type.UTF8
  const subjectSerial = req.profile?.subjectSerialNumber === undefined ? req.holderId : req.profile.subjectSerialNumber
  cert.setSubject([
    { shortName: 'C', value: 'TW' },
    ...(req.unit ? [{ shortName: 'OU', value: req.unit, valueTagClass: UTF8 }] : []),
    { shortName: 'CN', value: req.name, valueTagClass: UTF8 },
    ...(subjectSerial === null ? [] : [{ type: '2.5.4.5', value: subjectSerial }]),
  ] as forge.pki.CertificateField[])
  cert.setIssuer(issuing.cert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    req.profile?.keyUsage === 'encryption'
      ? { name: 'keyUsage', keyEncipherment: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuing.cert.generateSubjectKeyIdentifier().getBytes() },
    { id: '2.5.29.9', critical: false, value: subjectDirectoryAttributesDer(req.profile?.subjectKinds ?? [req.kind]) },
    ...(req.profile?.ocspUrl ? [{ id: AIA_OID, critical: false, value: ocspAiaDer(req.profile.ocspUrl) }] : []),
  ])
  cert.sign(issuing.key, forge.md.sha256.create())
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

/** Adds a serial to its family's CRL and rewrites the CRLs (thisUpdate = now, nextUpdate = now + 1 year). */
export function revokeDemoCard(serial: string, opts: { dir?: string; now?: Date; family?: PkiFamily } = {}): void {
  const ca = ensureDemoPki(opts.dir)
  const p = paths(ca.dir)
  const now = opts.now ?? new Date()
  const family = opts.family ?? familyOfSerial(ca.dir, serial)
  const revoked = JSON.parse(readFileSync(p.revoked, 'utf8')) as RevokedEntry[]
  if (!revoked.some((r) => normalizeSerial(r.serial) === normalizeSerial(serial))) revoked.push({ serial, revokedAt: now.toISOString(), family })
  writeAtomic(p.revoked, `${JSON.stringify(revoked, null, 2)}\n`)
  writeCrls(ca.dir, ca.families, revoked, now, years(now, 1))
}

/** Re-issues every CRL with the given dates (tests: a CRL past its nextUpdate). */
export function reissueDemoCrls(opts: { dir?: string; thisUpdate: Date; nextUpdate: Date }): void {
  const ca = ensureDemoPki(opts.dir)
  const revoked = JSON.parse(readFileSync(paths(ca.dir).revoked, 'utf8')) as RevokedEntry[]
  writeCrls(ca.dir, ca.families, revoked, opts.thisUpdate, opts.nextUpdate)
}

function familyOfSerial(dir: string, serial: string): PkiFamily {
  const card = listDemoCards(dir).find((c) => normalizeSerial(c.serial) === normalizeSerial(serial))
  return card ? familyOf(card.kind) : 'hca'
}
