// Configuration from the environment, typed and validated with TypeBox. A bad value stops start-up naming the variable.
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { isRocDate } from '../../domain/roc-date.js'

const Url = (pattern: string) => Type.String({ pattern })

export const ConfigSchema = Type.Object({
  DATABASE_URL: Type.Optional(Url('^postgres(ql)?://')),
  EVENTSTORE_URL: Type.Optional(Url('^(esdb|esdb\\+discover|kurrentdb|kurrent)(\\+discover)?://')),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** The site's public origin: the reader agent answers only this origin. */
  SITE_ORIGIN: Type.Optional(Url('^https?://')),
  SESSION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  /** Absolute lifetime of a session in hours, however active (the idle timeout is 20 minutes). */
  SESSION_LIFETIME_HOURS: Type.Integer({ minimum: 1, maximum: 24, default: 8 }),
  /**
   * Behind a reverse proxy: the proxies to believe for the client address (X-Forwarded-For), a comma-separated list
   * of IP addresses or CIDRs. Unset: the socket address (login rate limits per IP use it).
   */
  TRUST_PROXY: Type.Optional(Type.String({ pattern: '^[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]*(/\\d{1,3})?(\\s*,\\s*[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]*(/\\d{1,3})?)*$' })),
  /** Bearer token for /status and /metrics from other hosts (loopback needs none; without it, loopback only). */
  STATUS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  /** Demo mode: seeded data, virtual cards, SMS outbox page. */
  DEMO: Type.Boolean({ default: false }),
  READER_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 7443 }),
  /** Card trust store: hca/ and gca/ (roots and intermediates per card family) and crl/ (README, 登入). */
  TRUST_DIR: Type.Optional(Type.String({ minLength: 1 })),
  /** More CRL files besides TRUST_DIR/crl/, comma-separated. */
  CRL_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * The HiPKI LocalSignServer (HiCOS 跨平台網頁元件) as the login page opens it; default http://localhost:61161, or none
   * in demo mode (the demo's virtual cards live in the reader agent); `off` = never.
   */
  HIPKI_URL: Type.Optional(Type.String({ pattern: '^(https?://[^/]+/?|off)$' })),
  /** The local reader agent as the login page calls it (default http://127.0.0.1:READER_PORT). */
  READER_AGENT_URL: Type.Optional(Url('^https?://')),
  /** NHI web-password check over HTTP (default: the embedded, scrypt-hashed password table). */
  NHI_PASSWORD_URL: Type.Optional(Url('^https?://')),
  NHI_PASSWORD_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  /** SMS gateway over HTTP (default: the embedded outbox, shown on /dev/sms in demo mode). */
  SMS_GATEWAY_URL: Type.Optional(Url('^https?://')),
  SMS_GATEWAY_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  /** Decision notices by e-mail: smtp:// or smtps:// (user and password in the URL); unset = no e-mail (demo: the outbox /dev/mail). */
  SMTP_URL: Type.Optional(Url('^smtps?://')),
  /** The sender of the notices (e.g. `報備支援系統 <no-reply@example.gov.tw>`), required with SMTP_URL. */
  NOTIFY_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
  // exporter
  ROSTER_SENDER_CODE: Type.String({ pattern: '^[ -~]{1,10}$', default: 'BAOBEI0001' }),
  /** Daily roster run of `baobei serve`, HH:MM Asia/Taipei. */
  EXPORT_AT: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', default: '01:00' }),
  /** First day to deliver, ROC yyyMMdd (default: the day of the first event in the log). */
  EXPORT_START_DAY: Type.Optional(Type.String({ pattern: '^[0-9]{7}$' })),
  SFTP_HOST: Type.Optional(Type.String({ minLength: 1 })),
  SFTP_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 22 }),
  SFTP_USER: Type.Optional(Type.String({ minLength: 1 })),
  SFTP_PASSWORD: Type.Optional(Type.String()),
  SFTP_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  SFTP_HOST_KEY_SHA256: Type.Optional(Type.String({ pattern: '^SHA256:[A-Za-z0-9+/]{43}=?$' })),
  SFTP_REMOTE_DIR: Type.String({ default: '.' }),
})

export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`Configuration error in ${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

const BOOLEAN_KEYS = new Set(['DEMO'])
const INTEGER_KEYS = new Set(['PORT', 'READER_PORT', 'SFTP_PORT', 'SESSION_LIFETIME_HOURS'])

/** fastify's trustProxy from TRUST_PROXY: the trusted proxy addresses; false when unset. */
export function trustProxyOf(config: Pick<Config, 'TRUST_PROXY'>): false | string[] {
  const v = config.TRUST_PROXY?.trim()
  if (!v) return false
  return v.split(',').map((x) => x.trim()).filter(Boolean)
}

/** A rejected value as an error may show it: never a secret, never the credentials in a URL. */
function shown(variable: string, value: unknown): string {
  if (/SECRET|TOKEN|PASSWORD/.test(variable)) return typeof value === 'string' ? `a value of ${value.length} characters, hidden` : 'a hidden value'
  if (typeof value === 'string' && /_URL$/.test(variable)) return JSON.stringify(value.replace(/\/\/[^/@]*@/, '//***@'))
  return JSON.stringify(value)
}

/** Reads and validates configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  if (env.EXPORT_DAILY_AT) throw new ConfigError('EXPORT_DAILY_AT', 'renamed: set EXPORT_AT (HH:MM, Asia/Taipei) instead')
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const v = env[key]
    if (v === undefined || v === '') continue
    if (BOOLEAN_KEYS.has(key)) {
      if (!/^(1|0|true|false|yes|no)$/i.test(v)) throw new ConfigError(key, `expected true or false, got "${v}"`)
      raw[key] = /^(1|true|yes)$/i.test(v)
    } else if (INTEGER_KEYS.has(key)) {
      if (!/^\d+$/.test(v)) throw new ConfigError(key, `expected a whole number, got "${v}"`)
      raw[key] = Number(v)
    } else raw[key] = v
  }
  Object.assign(raw, overrides)
  const withDefaults = Value.Default(ConfigSchema, raw) as Record<string, unknown>
  const first = Value.Errors(ConfigSchema, withDefaults).First()
  if (first) {
    const variable = first.path.replace(/^\//, '') || '(config)'
    throw new ConfigError(variable, `${first.message} (got ${shown(variable, withDefaults[variable])})`)
  }
  const startDay = withDefaults.EXPORT_START_DAY
  if (typeof startDay === 'string' && !isRocDate(startDay)) {
    throw new ConfigError('EXPORT_START_DAY', `not a real ROC date yyyMMdd (e.g. 1130301 = 2024-03-01), got "${startDay}"`)
  }
  for (const key of ['NHI_PASSWORD_URL', 'SMS_GATEWAY_URL'] as const) {
    const v = withDefaults[key]
    // plain http only to a service on this machine (a sidecar; the traffic never leaves it)
    const loopback = typeof v === 'string' && /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(v)
    if (typeof v === 'string' && !v.startsWith('https://') && !loopback && !withDefaults.DEMO) {
      throw new ConfigError(key, 'must be an https:// URL (or http:// to this machine) outside demo mode (it carries passwords or one-time codes)')
    }
  }
  const proxies = trustProxyOf(withDefaults as Pick<Config, 'TRUST_PROXY'>)
  for (const p of proxies || []) {
    const [addr = '', bits] = p.split('/')
    const max = addr.includes(':') ? 128 : 32
    // a range that covers (nearly) everyone would let any client claim any address in X-Forwarded-For
    if (bits !== undefined && Number(bits) < (max === 32 ? 8 : 32)) {
      throw new ConfigError('TRUST_PROXY', 'a range that wide trusts nearly every client to name its own address; list the proxies (addresses or narrow CIDRs)')
    }
    if (/^(0\.0\.0\.0|::)$/.test(addr)) throw new ConfigError('TRUST_PROXY', 'the unspecified address is not a proxy')
  }
  return withDefaults as Config
}
