// Demo mode never reaches production: `serve --demo` (seeded data, virtual cards that anyone may "insert", demo PKI,
// SMS and e-mail outbox pages, a known NHI password) refuses to start when anything points at a real deployment: a
// database on another host, an SFTP peer, a real trust store, SMS gateway, mail server or NHI password service, or a
// non-loopback listen address.
// The refusal names the variable, never its value (it may hold a password).
import { ConfigError, type Config } from '../commands/platform/config.js'
import { isLoopback } from './operator-access.js'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])
const loopbackHost = (host: string) => LOOPBACK_HOSTS.has(host.toLowerCase()) || isLoopback(host.replace(/^\[|\]$/g, ''))

/** Throws ConfigError when demo mode is asked for with production settings. */
export function assertDemoFenced(config: Config, env: Record<string, string | undefined> = process.env): void {
  if (!config.DEMO) return
  const refuse = (variable: string, why: string) => {
    throw new ConfigError(variable, `demo mode refuses to start: ${why} (demo mode is for a single machine; unset it or drop --demo)`)
  }
  if (config.DATABASE_URL) {
    let host = ''
    try {
      host = new URL(config.DATABASE_URL).hostname
    } catch {
      refuse('DATABASE_URL', 'not a URL')
    }
    // a socket directory (postgres:///db?host=/run/postgresql) is local too
    if (host && !loopbackHost(host)) refuse('DATABASE_URL', 'the database is on another host')
  }
  const sftp = 'an SFTP peer is configured (demo cases must never reach a roster delivery)'
  for (const key of Object.keys(env)) if (key.startsWith('SFTP_') && env[key]) refuse(key, sftp)
  for (const key of ['SFTP_HOST', 'SFTP_USER', 'SFTP_PASSWORD', 'SFTP_KEY_FILE', 'SFTP_HOST_KEY_SHA256'] as const) if (config[key]) refuse(key, sftp)
  for (const key of ['TRUST_DIR', 'SMS_GATEWAY_URL', 'NHI_PASSWORD_URL'] as const) if (config[key]) refuse(key, 'a production login service is configured')
  if (config.SMTP_URL) refuse('SMTP_URL', 'a mail server is configured (demo decisions must never reach a real mailbox; the demo keeps them on /dev/mail)')
  if (!loopbackHost(config.HOST)) refuse('HOST', 'it listens beyond this machine')
}
