// The login flows, framework-free: card + PIN (professional, institution, staff), NHI card + web password, card-less
// NHI (one-time SMS code, then the NHI card number). Each flow checks the lock-out first, records failures on the
// card / person / IP keys, maps the proven holder to the registry and returns the session user and home page.
import { createHmac, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Config } from '../../commands/platform/config.js'
import type { Sql } from '../../commands/platform/database.js'
import type { Logger } from '../../commands/platform/logger.js'
import { findInstitution, findInstitutionByCard, findProfessional, findProfessionalByCard } from '../../commands/registry/registry.js'
import { loginPayload, siteOrigins } from '../../domain/card/login-payload.js'
import { findAccountByCertificate } from '../../commands/accounts/find-account.js'
import { certificateNames } from '../../commands/accounts/certificate-names.js'
import { DomainError, isDomainError } from '../../domain/errors.js'
import { isValidPersonId, normalizePersonId } from '../../domain/national-id.js'
import type { Actor, AuthMethod } from '../../domain/types.js'
import type { SessionUser } from '../session-store.js'
import { cardHolderOf, certificateFromDer, type CardKind } from '../../domain/card/certificate-profile.js'
import { createCardVerifier, type CardVerifier } from './certificates.js'
import { createPostgresChallengeStore, type ChallengeStore } from './challenges.js'
import { ensureDemoPki } from '../../commands/pki/demo-pki.js'
import { lastLogin, recordLogin } from './login-audit.js'
import { createLoginThrottle, DEFAULT_THROTTLE, netKey, type LoginThrottle, type SubjectKey, type ThrottlePolicy } from './login-throttle.js'
import { embeddedNhiPasswords, httpNhiPasswords, type NhiPasswordService } from './nhi-password.js'
import { createOtpService, OTP_TTL_MS, type OtpService } from './otp.js'
import { hashSecret, OTP_COST } from './secret-hash.js'
import { embeddedSmsOutbox, httpSmsGateway, type SmsGateway } from './sms.js'

/** What the login page offers: 醫事人員 / 醫療(事)機構 / 衛生局審查人員 (staff also covers 衛福部 statisticians). */
export type LoginRole = 'professional' | 'institution' | 'staff'
export const LOGIN_ROLES: readonly LoginRole[] = ['professional', 'institution', 'staff']

export interface LoginServices {
  challenges: ChallengeStore
  /** Undefined when no trust store is configured: card logins answer CARD_LOGIN_UNAVAILABLE. */
  verifier?: CardVerifier
  passwords: NhiPasswordService
  sms: SmsGateway
  otp: OtpService
  throttle: LoginThrottle
  /** The reader agent's URL as the page calls it. */
  agentUrl: string
  /**
   * The origins this site is reached by (SITE_ORIGIN, else the loopback origins of the port it listens on): the login
   * payload a card signed must name one of them. `baobei serve` points it at the real listening port.
   */
  origins: () => readonly string[]
  /** The HiPKI LocalSignServer (跨平台網頁元件) as the login page calls it; '' = not tried. */
  hipkiUrl: string
  /** Demo mode: /dev/sms exists. */
  demo: boolean
  /** The card-less method (one-time SMS code) is on: a configured SMS gateway, or the demo's outbox. */
  cardless: boolean
  /** Keys the made-up phone tail answered for an ID with no registered phone (the same answer every time). */
  decoyKey: string
  /** Where the demo PKI lives when it is used (demo mode without TRUST_DIR). */
  pkiDir?: string
}

declare module '../services.js' {
  interface Services {
    /** The login module (http/auth/login-service.ts); created from config + db when not handed in. */
    login?: LoginServices
  }
}

export interface LoginServiceOptions {
  config: Config
  db: Sql
  logger?: Logger
  policy?: ThrottlePolicy
  /** The server's clock (challenge expiry follows it). */
  clock?: () => Date
  /** Override parts (tests). */
  parts?: Partial<LoginServices>
}

/** Composes the login module from the configuration: trust store (or the demo PKI in demo mode), ports, lock-out. */
export function createLoginServices(opts: LoginServiceOptions): LoginServices {
  const { config, db } = opts
  let verifier: CardVerifier | undefined
  let pkiDir: string | undefined
  // a responder without a valid answer is logged (the login then falls back to the CRL)
  const onOcspProblem = (url: string, reason: string) => opts.logger?.warn({ url, reason }, 'OCSP: no valid answer, falling back to the CRL')
  if (config.TRUST_DIR) {
    const crlFiles = config.CRL_FILE ? config.CRL_FILE.split(',').map((f) => f.trim()).filter(Boolean) : []
    verifier = createCardVerifier({ trustDir: config.TRUST_DIR, crlFile: crlFiles, onOcspProblem })
  } else if (config.DEMO) {
    pkiDir = join(config.DATA_DIR, 'pki')
    const pki = ensureDemoPki(pkiDir)
    verifier = createCardVerifier({ trustDir: pki.trustDir, onOcspProblem })
    opts.logger?.warn({ pkiDir }, 'demo mode: card logins trust the demo PKI (NOT for production)')
  } else {
    opts.logger?.warn({}, 'TRUST_DIR is not set: card logins are refused (CARD_LOGIN_UNAVAILABLE)')
  }
  const sms = config.SMS_GATEWAY_URL ? httpSmsGateway(config.SMS_GATEWAY_URL, config.SMS_GATEWAY_TOKEN ? { token: config.SMS_GATEWAY_TOKEN } : {}) : embeddedSmsOutbox(db)
  const passwords = config.NHI_PASSWORD_URL
    ? httpNhiPasswords(config.NHI_PASSWORD_URL, config.NHI_PASSWORD_TOKEN ? { token: config.NHI_PASSWORD_TOKEN } : {})
    : embeddedNhiPasswords(db)
  const parts = opts.parts ?? {}
  const smsGateway = parts.sms ?? sms
  return {
    challenges: createPostgresChallengeStore(db, opts.clock ? { now: opts.clock } : {}),
    ...(verifier ? { verifier } : {}),
    passwords,
    sms: smsGateway,
    otp: createOtpService(db, smsGateway),
    throttle: createLoginThrottle(db, opts.policy ?? DEFAULT_THROTTLE),
    agentUrl: (config.READER_AGENT_URL ?? `http://127.0.0.1:${config.READER_PORT}`).replace(/\/+$/, ''),
    origins: () => siteOrigins(`http://127.0.0.1:${config.PORT}`, config.SITE_ORIGIN),
    hipkiUrl: hipkiUrlOf(config),
    demo: config.DEMO,
    cardless: Boolean(config.SMS_GATEWAY_URL) || config.DEMO,
    decoyKey: config.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    ...(pkiDir ? { pkiDir } : {}),
    ...parts,
  }
}

/** The HiCOS component's URL for the login page, '' when the page should not try it. */
export function hipkiUrlOf(config: Pick<Config, 'HIPKI_URL' | 'DEMO'>): string {
  if (config.HIPKI_URL === 'off') return ''
  return (config.HIPKI_URL ?? (config.DEMO ? '' : 'http://localhost:61161')).replace(/\/+$/, '')
}

export interface LoginOutcome {
  user: SessionUser
  /** The home page of the role. */
  redirect: string
}

export const homeOf = (role: Actor['role']): string =>
  role === 'professional' ? '/home' : role === 'institution' ? '/institution' : role === 'reviewer' || role === 'statistician' || role === 'admin' || role === 'bureau_admin' ? '/review' : '/'

interface Ctx {
  db: Sql
  login: LoginServices
  now: Date
  ip: string
}

async function audit(ctx: Ctx, role: string, subjectId: string, method: AuthMethod, outcome: string, detail?: Record<string, unknown>) {
  await recordLogin(ctx.db, { at: ctx.now, role, subjectId, method, ip: ctx.ip, outcome, ...(detail ? { detail } : {}) })
}

async function finish(ctx: Ctx, actor: Actor, name: string, institution: SessionUser['institution'], keys: SubjectKey[]): Promise<LoginOutcome> {
  await ctx.login.throttle.clear(keys)
  await ctx.login.throttle.repay(netKey(ctx.ip))
  const previous = await lastLogin(ctx.db, actor.role, actor.id)
  await audit(ctx, actor.role, actor.id, actor.via, 'success')
  return { user: { actor, name, ...(institution ? { institution } : {}), ...(previous ? { lastLoginAt: previous } : {}) }, redirect: homeOf(actor.role) }
}

/**
 * Every try is charged before it is judged: the address is paced, the per-person/per-card keys charged (LOGIN_LOCKED
 * past the limit, nothing judged). Then `judge` runs: a refusal keeps the charge and is audited (with the tries left
 * when asked); a failure of ours (5xx) gives the tries back.
 */
async function charged<T>(ctx: Ctx, keys: SubjectKey[], who: { role: string; id: string; method: AuthMethod }, judge: () => Promise<T>, withRemaining = false): Promise<T> {
  await ctx.login.throttle.pace(netKey(ctx.ip), ctx.now)
  const remaining = await ctx.login.throttle.charge(keys, ctx.now)
  try {
    return await judge()
  } catch (e) {
    if (!isDomainError(e) || e.status >= 500) {
      await ctx.login.throttle.refund(keys)
      await ctx.login.throttle.repay(netKey(ctx.ip))
      throw e
    }
    await audit(ctx, who.role, who.id, who.method, e.code)
    if (withRemaining) {
      const details = { ...e.details, remaining: Math.min(remaining, typeof e.details.remaining === 'number' ? e.details.remaining : Infinity) }
      throw new DomainError(e.code, details)
    }
    throw e
  }
}

const WANTED: Record<LoginRole, CardKind> = { professional: 'professional', institution: 'institution', staff: 'staff' }
const VIA: Record<LoginRole, AuthMethod> = { professional: 'hca-professional-card', institution: 'hca-institution-card', staff: 'staff-card' }

export interface CardLoginInput {
  role: LoginRole
  /** The pre-login id the challenge was issued to. */
  preId: string
  challenge: string
  certificate: Buffer
  signature: Buffer
}

/** Card + PIN: the card signed our challenge; verify it and map the holder to the registry. */
export async function cardLogin(db: Sql, login: LoginServices, input: CardLoginInput, now: Date, ip: string): Promise<LoginOutcome> {
  const ctx: Ctx = { db, login, now, ip }
  const via = VIA[input.role]
  // the card's key from the certificate as presented (verified below; a certificate that does not chain to our
  // trust store gets its charge back, so nobody can lock a card out with a made-up certificate)
  let claimed: ReturnType<typeof cardHolderOf>
  try {
    claimed = cardHolderOf(certificateFromDer(input.certificate))
  } catch {
    claimed = undefined
  }
  const cardKeys: SubjectKey[] = claimed ? [`card:${claimed.certificateSerial}`] : []
  const who = { role: input.role, id: claimed ? claimed.holderId || `card:${claimed.certificateSerial}` : '(unknown)', method: via }
  const verifier = login.verifier
  if (!verifier) throw new DomainError('CARD_LOGIN_UNAVAILABLE')

  return charged(ctx, cardKeys, who, async () => {
    // a challenge that is not this browser's, or a certificate that is not ours, proves nothing about the card
    const bytes = await login.challenges.consume(input.preId, input.challenge).catch(async (e: unknown) => {
      await login.throttle.refund(cardKeys)
      throw e
    })
    let holder: Awaited<ReturnType<CardVerifier['verify']>>
    try {
      // the payload is rebuilt from our own origins: a signature made for another site or purpose matches none
      const payloads = login.origins().map((origin) => loginPayload({ origin, challenge: bytes, purpose: 'login' }))
      holder = await verifier.verify({ certificate: input.certificate, signature: input.signature, payloads, wanted: WANTED[input.role], now })
    } catch (e) {
      if (isDomainError(e) && e.code === 'CERT_UNTRUSTED') await login.throttle.refund(cardKeys)
      throw e
    }
    // HCA cards: by the ID / code the certificate names, else by the card certificate (issuer DN + serial) the
    // registry records for the holder (README 登入, 卡片憑證的欄位); a card naming neither is refused as unregistered
    const card = certificateNames(certificateFromDer(input.certificate))
    const unregistered = () => new DomainError(holder.holderId ? 'HOLDER_UNKNOWN' : 'CARD_NOT_REGISTERED', { kind: holder.kind })
    if (holder.kind === 'professional') {
      const p = (holder.holderId ? await findProfessional(db, holder.holderId) : undefined) ?? (await findProfessionalByCard(db, card))
      const home = p ? await findInstitution(db, p.homeInstitutionCode) : undefined
      if (!p) throw unregistered()
      if (!home) throw new DomainError('HOLDER_UNKNOWN', { kind: holder.kind })
      const actor: Actor = { role: 'professional', id: p.nationalId, name: p.name, via, institutionCode: home.code }
      return finish(ctx, actor, p.name, { code: home.code, name: home.name }, cardKeys)
    }
    if (holder.kind === 'institution') {
      const inst = (holder.holderId ? await findInstitution(db, holder.holderId) : undefined) ?? (await findInstitutionByCard(db, card))
      if (!inst) throw unregistered()
      const actor: Actor = { role: 'institution', id: inst.code, name: inst.name, via, institutionCode: inst.code }
      return finish(ctx, actor, inst.name, { code: inst.code, name: inst.name }, cardKeys)
    }
    // staff: the account (帳號管理) that this certificate identifies, by issuer + serial or subject
    const staff = await findAccountByCertificate(db, card)
    if (!staff) throw new DomainError('HOLDER_UNKNOWN', { kind: holder.kind })
    if (staff.disabled) throw new DomainError('ACCOUNT_DISABLED', { kind: holder.kind })
    const actor: Actor = { role: staff.role, id: staff.accountId, name: staff.name, via, ...(staff.county ? { county: staff.county } : {}) }
    return finish(ctx, actor, staff.name, undefined, cardKeys)
  })
}

function personId(raw: string): string {
  const id = normalizePersonId(raw)
  if (!isValidPersonId(id)) throw new DomainError('INVALID_NATIONAL_ID', { field: 'nationalId' })
  return id
}

async function professionalSession(ctx: Ctx, nationalId: string, via: AuthMethod, cardNumber: string, keys: SubjectKey[]): Promise<LoginOutcome> {
  const p = await findProfessional(ctx.db, nationalId)
  const home = p ? await findInstitution(ctx.db, p.homeInstitutionCode) : undefined
  if (!p || !home) throw new DomainError('HOLDER_UNKNOWN', { kind: 'professional' })
  if (!p.nhiCardNumber || p.nhiCardNumber !== cardNumber) throw new DomainError('NHI_CARD_MISMATCH')
  const actor: Actor = { role: 'professional', id: p.nationalId, name: p.name, via, institutionCode: home.code }
  return finish(ctx, actor, p.name, { code: home.code, name: home.name }, keys)
}

export interface NhiPasswordInput {
  nationalId: string
  password: string
  /** From the inserted NHI card, read by the agent. */
  card: { cardNumber: string; nationalId: string }
}

/** NHI card inserted + 身分證號 + 健保卡網路服務註冊密碼. */
export async function nhiPasswordLogin(db: Sql, login: LoginServices, input: NhiPasswordInput, now: Date, ip: string): Promise<LoginOutcome> {
  const ctx: Ctx = { db, login, now, ip }
  const via: AuthMethod = 'nhi-card-password'
  const id = personId(input.nationalId)
  // knowledge only (the card number the browser read proves nothing): the per-person limit and a daily cap
  const keys: SubjectKey[] = [`pw:${id}`, `pw-day:${id}`]
  const who = { role: 'professional', id, method: via }
  return charged(
    ctx, keys, who,
    async () => {
      if (!(await login.passwords.verify(id, input.password))) throw new DomainError('PASSWORD_WRONG')
      if (normalizePersonId(input.card.nationalId) !== id) throw new DomainError('NHI_CARD_MISMATCH')
      return professionalSession(ctx, id, via, input.card.cardNumber, keys)
    },
    true,
  )
}

/** At most the last 3 digits of a phone. */
export const maskPhone = (tail: string) => `*******${tail.slice(-3).padStart(3, '*')}`
/** An ID with no registered phone gets the same answer as one with: a made-up tail, the same every time. */
const decoyTail = (key: string, id: string) => String(createHmac('sha256', key).update(`phone-tail:${id}`).digest().readUInt32BE(0) % 1000).padStart(3, '0')

/**
 * Card-less step 1: 身分證號 → a one-time code to the registered phone. Each request is charged to the person, the
 * address and the global SMS budget before anything is looked up; the answer is the same whether or not the ID has a
 * registered phone (a made-up tail for one without), so the form tells nobody who is registered.
 */
export async function requestOtp(db: Sql, login: LoginServices, input: { nationalId: string; preId: string }, now: Date, ip: string) {
  const ctx: Ctx = { db, login, now, ip }
  const via: AuthMethod = 'nhi-cardless-otp'
  if (!login.cardless) throw new DomainError('CARDLESS_LOGIN_UNAVAILABLE')
  const id = personId(input.nationalId)
  await login.throttle.ensureOpen([`otp:${id}`, netKey(ip)], now)
  await login.throttle.charge([`otp-send:${id}`, `otp-send-net:${netKey(ip).slice(4)}`, 'sms:all'], now)
  const expiresAt = new Date(now.getTime() + OTP_TTL_MS).toISOString()
  const p = await findProfessional(db, id)
  if (!p?.phone) {
    await login.throttle.refund(['sms:all'])
    await hashSecret('000000', OTP_COST) // as long as a real request
    await audit(ctx, 'professional', id, via, p ? 'PHONE_NOT_REGISTERED' : 'HOLDER_UNKNOWN')
    return { phone: maskPhone(decoyTail(login.decoyKey, id)), expiresAt }
  }
  try {
    await login.otp.send(id, p.phone, input.preId, now)
  } catch (e) {
    await login.throttle.refund(['sms:all'])
    throw e
  }
  return { phone: maskPhone(p.phone), expiresAt }
}

/** Card-less step 2: the code from the SMS and the NHI card number. */
export async function otpLogin(db: Sql, login: LoginServices, input: { nationalId: string; code: string; cardNumber: string; preId: string }, now: Date, ip: string) {
  const ctx: Ctx = { db, login, now, ip }
  const via: AuthMethod = 'nhi-cardless-otp'
  const id = personId(input.nationalId)
  const keys: SubjectKey[] = [`otp:${id}`]
  return charged(
    ctx, keys, { role: 'professional', id, method: via },
    async () => {
      await login.otp.verify(id, input.preId, input.code.trim(), now)
      return professionalSession(ctx, id, via, input.cardNumber.trim(), keys)
    },
    true,
  )
}
