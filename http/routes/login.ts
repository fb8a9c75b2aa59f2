import type { App } from '../schemas.js'
// 登入: the login page (醫事人員 / 醫療(事)機構 / 衛生局審查人員, then the method) and its JSON endpoints.
//   GET  /login                  the page; sets the pre-login cookie the challenges and codes are bound to
//   POST /login/challenge        a one-time challenge for the card to sign (2 minutes, single use)
//   POST /login/card             {role, challenge, certificate, signature}: card + PIN (the PIN went to the agent only)
//   POST /login/nhi-password     {nationalId, password, cardNumber, cardNationalId}: NHI card inserted + web password
//   POST /login/otp/request      {nationalId}: card-less step 1, a code to the registered phone
//   POST /login/otp/verify       {nationalId, code, cardNumber}: card-less step 2
//   GET  /dev/sms                demo mode only: the embedded SMS outbox
// The JSON endpoints answer {redirect} or {error: {code, message, details}}. They cannot carry a session's CSRF
// token (there is no session yet): instead the page holds a login token derived from the pre-login cookie
// (SameSite=Strict, path /login), sent back in the x-login-token header.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { READER_CARD_LABELS } from '../../domain/card/reader-card.js'
import { DomainError, type ErrorCode } from '../../domain/errors.js'
import { createLoginServices, cardLogin, hipkiUrlOf, nhiPasswordLogin, otpLogin, requestOtp, type LoginOutcome, type LoginServices } from '../auth/login-service.js'
import { lockedMessage, netKey, slowDownMessage } from '../auth/login-throttle.js'
import { DEMO_NHI_PASSWORD, seedDemoNhiPasswords } from '../auth/login-demo.js'
import { listOutbox } from '../auth/sms.js'
import { toDomainError } from '../errors.js'
import { isHttps } from '../session.js'

export const PRE_LOGIN_COOKIE = 'bb_pre'
export const LOGIN_TOKEN_HEADER = 'x-login-token'

const LoginQuery = Type.Object({
  role: Type.Optional(Type.Union([Type.Literal('professional'), Type.Literal('institution'), Type.Literal('staff')])),
  expired: Type.Optional(Type.String({ maxLength: 4 })),
  loggedOut: Type.Optional(Type.String({ maxLength: 4 })),
  kept: Type.Optional(Type.String({ maxLength: 4 })),
})
const Role = Type.Union([Type.Literal('professional'), Type.Literal('institution'), Type.Literal('staff')])
const Base64 = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[A-Za-z0-9+/]+={0,2}$' })
const CardBody = Type.Object({ role: Role, challenge: Base64(200), certificate: Base64(16_384), signature: Base64(2048) }, { additionalProperties: false })
const NationalId = Type.String({ minLength: 1, maxLength: 12 })
const CardNumber = Type.String({ pattern: '^\\s*[0-9]{12}\\s*$' })
const PasswordBody = Type.Object(
  { nationalId: NationalId, password: Type.String({ minLength: 1, maxLength: 64 }), cardNumber: CardNumber, cardNationalId: NationalId },
  { additionalProperties: false },
)
const OtpRequestBody = Type.Object({ nationalId: NationalId }, { additionalProperties: false })
const OtpVerifyBody = Type.Object({ nationalId: NationalId, code: Type.String({ minLength: 1, maxLength: 10 }), cardNumber: CardNumber }, { additionalProperties: false })

const FIELD_LABEL: Record<string, string> = {
  nationalId: '身分證號', cardNationalId: '健保卡', password: '密碼', code: '簡訊驗證碼', cardNumber: '健保卡卡號', challenge: '登入驗證碼',
  certificate: '卡片憑證', signature: '卡片簽章', role: '登入身分',
}

/** The zh-TW message a refusal shows next to the form (tries left, minutes to wait, the field at fault). */
export function loginMessage(e: DomainError): string {
  const d = e.details
  if (e.code === 'LOGIN_LOCKED' && typeof d.retryAfterMinutes === 'number') return lockedMessage(d.retryAfterMinutes)
  if (e.code === 'TOO_MANY_TRIES' && typeof d.retryAfterSeconds === 'number') return slowDownMessage(d.retryAfterSeconds)
  if ((e.code === 'PASSWORD_WRONG' || e.code === 'OTP_WRONG') && typeof d.remaining === 'number') {
    return d.remaining > 0 ? `${e.zh}，尚可嘗試 ${d.remaining} 次` : `${e.zh}，已達嘗試上限，請於 15 分鐘後再試`
  }
  if (e.code === 'VALIDATION_FAILED' && Array.isArray(d.fields)) {
    const names = (d.fields as { field: string }[]).map((f) => FIELD_LABEL[f.field] ?? f.field)
    return `請確認：${[...new Set(names)].join('、')}`
  }
  return e.zh
}

export async function registerLoginRoutes(app: App) {
  const s = app.services
  // created at start-up from config and the database unless handed in (tests hand in fakes)
  const login: LoginServices = s.login ?? createLoginServices({ config: s.config, db: s.db, logger: s.logger, clock: s.clock })
  s.login = login
  const services = () => login
  // demo mode: every demo professional gets the demo NHI web password (kept when already set)
  if (s.config.DEMO && s.db) {
    const db = s.db
    app.addHook('onReady', async () => {
      try {
        const n = await seedDemoNhiPasswords(db)
        if (n) s.logger.info({ professionals: n, password: DEMO_NHI_PASSWORD }, 'demo NHI web passwords set')
      } catch (e) {
        s.logger.warn({ err: (e as Error).message }, 'demo NHI web passwords not set (login tables missing?)')
      }
    })
  }

  const loginKey = s.config.SESSION_SECRET ?? randomBytes(32).toString('hex')
  const tokenOf = (preId: string) => createHmac('sha256', loginKey).update(`login-token:${preId}`).digest('base64url')
  // over HTTPS: Secure, with the __Host- prefix (which requires path /); over plain HTTP (loopback demo): path /login
  const siteHttps = s.config.SITE_ORIGIN?.startsWith('https:') ?? false
  const preCookie = (request: FastifyRequest) => isHttps(request, siteHttps)
    ? { name: `__Host-${PRE_LOGIN_COOKIE}`, options: { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: true, signed: true } }
    : { name: PRE_LOGIN_COOKIE, options: { path: '/login', httpOnly: true, sameSite: 'strict' as const, secure: false, signed: true } }

  const preIdOf = (request: FastifyRequest): string | undefined => {
    const raw = request.cookies[preCookie(request).name]
    if (!raw) return undefined
    const u = request.unsignCookie(raw)
    return u.valid && u.value ? u.value : undefined
  }

  /** The pre-login id of a JSON call, after checking the page's login token. */
  const requirePre = (request: FastifyRequest): string => {
    const preId = preIdOf(request)
    const token = request.headers[LOGIN_TOKEN_HEADER]
    if (!preId || typeof token !== 'string') throw new DomainError('LOGIN_FORM_EXPIRED')
    const want = Buffer.from(tokenOf(preId))
    const got = Buffer.from(token)
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw new DomainError('LOGIN_FORM_EXPIRED')
    return preId
  }

  const done = async (request: FastifyRequest, reply: FastifyReply, outcome: LoginOutcome) => {
    await app.sessions.start(request, reply, outcome.user)
    const c = preCookie(request)
    reply.clearCookie(c.name, { path: c.options.path, secure: c.options.secure })
    // a form kept when this person's previous session ended: back to it, with what was typed (issue #16)
    const kept = await app.keptForms.claim(request, reply)
    return reply.send({ redirect: kept ?? outcome.redirect })
  }

  app.get('/login', { schema: { querystring: LoginQuery } }, async (request, reply) => {
    const q = request.query as Static<typeof LoginQuery>
    let preId = preIdOf(request)
    if (!preId) {
      preId = randomBytes(32).toString('base64url')
      const c = preCookie(request)
      reply.setCookie(c.name, preId, c.options)
    }
    const l = s.login ?? login
    return reply.page('pages/login.eta', {
      title: '登入',
      role: q.role ?? 'professional',
      expired: q.expired !== undefined,
      // a form was kept for this browser (its cookie is here): the page says so instead of only 閒置登出
      kept: q.kept !== undefined && app.keptForms.holds(request),
      loggedOut: q.loggedOut !== undefined && q.expired === undefined,
      loginToken: tokenOf(preId),
      agentUrl: l?.agentUrl ?? `http://127.0.0.1:${s.config.READER_PORT}`,
      hipkiUrl: l?.hipkiUrl ?? hipkiUrlOf(s.config),
      demo: l?.demo ?? s.config.DEMO,
      demoPassword: DEMO_NHI_PASSWORD,
      // the names of the card kinds the reader agent lists (the page names the cards it found with them)
      cardLabels: JSON.stringify(READER_CARD_LABELS),
      // the layout shows the user's header when a session is already open: this page offers a fresh login
      loggedInAs: request.session?.user.name,
    })
  })

  // JSON endpoints: their own error handler, so every refusal is {error} with the login message
  await app.register(async (scope) => {
    scope.setErrorHandler(async (error, request, reply) => {
      const err = toDomainError(error)
      if (err.code === 'INTERNAL') request.log.error({ err: error }, 'login failure')
      else request.log.info({ code: err.code }, 'login refused')
      return reply.code(err.status).type('application/json; charset=utf-8').send({
        error: { code: err.code, message: loginMessage(err), details: Object.keys(err.details).length ? publicDetails(err.code, err.details) : undefined },
        correlationId: String(request.id),
      })
    })
    const opts = { config: { csrf: false } }

    scope.post('/login/challenge', opts, async (request) => {
      const preId = requirePre(request)
      const l = services()
      await l.throttle.ensureOpen([netKey(request.ip)], s.clock())
      return l.challenges.issue(preId)
    })

    scope.post('/login/card', { ...opts, schema: { body: CardBody } }, async (request, reply) => {
      const preId = requirePre(request)
      const b = request.body as Static<typeof CardBody>
      const outcome = await cardLogin(s.db, services(), {
        role: b.role, preId, challenge: b.challenge,
        certificate: Buffer.from(b.certificate, 'base64'), signature: Buffer.from(b.signature, 'base64'),
      }, s.clock(), request.ip)
      return done(request, reply, outcome)
    })

    scope.post('/login/nhi-password', { ...opts, schema: { body: PasswordBody } }, async (request, reply) => {
      requirePre(request)
      const b = request.body as Static<typeof PasswordBody>
      const outcome = await nhiPasswordLogin(s.db, services(), {
        nationalId: b.nationalId, password: b.password, card: { cardNumber: b.cardNumber.trim(), nationalId: b.cardNationalId },
      }, s.clock(), request.ip)
      return done(request, reply, outcome)
    })

    scope.post('/login/otp/request', { ...opts, schema: { body: OtpRequestBody } }, async (request) => {
      const preId = requirePre(request)
      const b = request.body as Static<typeof OtpRequestBody>
      return requestOtp(s.db, services(), { nationalId: b.nationalId, preId }, s.clock(), request.ip)
    })

    scope.post('/login/otp/verify', { ...opts, schema: { body: OtpVerifyBody } }, async (request, reply) => {
      const preId = requirePre(request)
      const b = request.body as Static<typeof OtpVerifyBody>
      const outcome = await otpLogin(s.db, services(), { nationalId: b.nationalId, code: b.code, cardNumber: b.cardNumber, preId }, s.clock(), request.ip)
      return done(request, reply, outcome)
    })
  })

  // demo mode only: the embedded SMS gateway's outbox (the "phone" of the demo professionals)
  if ((s.login ?? login)?.demo ?? s.config.DEMO) {
    app.get('/dev/sms', async (_request, reply) => {
      const messages = await listOutbox(s.db, 50)
      return reply.page('pages/login-dev-sms.eta', { title: '簡訊外寄匣（示範）', messages })
    })
  }
}

/** Details a login refusal may show: counts and times, never certificate internals. */
function publicDetails(code: ErrorCode, d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of ['remaining', 'retryAfterMinutes', 'retryAfterSeconds', 'fields', 'notAfter', 'notBefore', 'phone', 'field']) if (k in d) out[k] = d[k]
  if (code === 'CERT_WRONG_TYPE' && 'kind' in d) out.kind = d.kind
  return out
}

