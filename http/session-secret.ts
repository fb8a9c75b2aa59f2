// The cookie-signing secret: SESSION_SECRET when set, else one generated at first start and kept (mode 600) in
// DATA_DIR, so sessions (kept in the database) still open after a restart.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function sessionSecretFor(config: { SESSION_SECRET?: string | undefined; DATA_DIR: string }): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET
  const file = join(config.DATA_DIR, 'session-secret')
  try {
    const kept = readFileSync(file, 'utf8').trim()
    if (kept.length >= 32) return kept
  } catch {
    // first start: make one
  }
  mkdirSync(config.DATA_DIR, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  return secret
}
