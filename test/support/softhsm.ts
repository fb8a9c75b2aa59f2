// SoftHSM2 tokens for the PKCS#11 card tests: Debian's softhsm2 is the real PKCS#11 module; each test file gets its
// own token folder and SOFTHSM2_CONF in a temporary directory (set in this process's environment, so create the
// tokens BEFORE loading the module: SoftHSM2 scans its tokens at C_Initialize). A token holds one demo card: its
// private key and certificate (issued by the node-forge test CAs of commands/pki/demo-pki.ts, HCA or GCA family),
// imported with pkcs11-tool (opensc), both under CKA_ID 01.
//
// SoftHSM2 keeps no PIN retry counter (a wrong PIN only sets CKF_USER_PIN_COUNT_LOW), so the "locked card" and
// "last try" states a card's middleware reports are made by setting CKF_USER_PIN_LOCKED / CKF_USER_PIN_FINAL_TRY in
// the token flags SoftHSM2 stores (its file object store: attribute 0x8000534B, a 64-bit big-endian value).
import { execFileSync } from 'node:child_process'
import { createPrivateKey } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'
import type { DemoCard } from '../../commands/pki/demo-pki.js'

export const SOFTHSM_MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) => existsSync(p)) ?? '/usr/lib/softhsm/libsofthsm2.so'
export const CKF_USER_PIN_FINAL_TRY = 0x20000
export const CKF_USER_PIN_LOCKED = 0x40000
const SO_PIN = '87654321'

export interface SoftHsm {
  dir: string
  conf: string
  module: string
  /** Makes a token labelled `label` holding `card` (PIN: the card's). */
  addToken(label: string, card: DemoCard, opts?: { pin?: string; flags?: number }): void
  close(): void
}

/** Fails (does not skip) when softhsm2 or pkcs11-tool is missing: test/support/services.sh installs them. */
export function createSoftHsm(): SoftHsm {
  if (!existsSync(SOFTHSM_MODULE)) throw new Error(`SoftHSM2 module not found (${SOFTHSM_MODULE}): apt-get install softhsm2 (test/support/services.sh does)`)
  const dir = mkdtempSync(join(tmpdir(), 'bb-softhsm-'))
  const tokens = join(dir, 'tokens')
  mkdirSync(tokens)
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`)
  process.env.SOFTHSM2_CONF = conf
  const env = { ...process.env, SOFTHSM2_CONF: conf }
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }).toString()

  return {
    dir,
    conf,
    module: SOFTHSM_MODULE,
    addToken(label, card, opts = {}) {
      const pin = opts.pin ?? card.pin
      const before = new Set(readdirSync(tokens))
      run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', SO_PIN])
      const keyDer = createPrivateKey(card.privateKeyPem).export({ type: 'pkcs8', format: 'der' })
      const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(card.certificatePem))).getBytes(), 'binary')
      const keyFile = join(dir, `${label}.key.der`)
      const certFile = join(dir, `${label}.crt.der`)
      writeFileSync(keyFile, keyDer, { mode: 0o600 })
      writeFileSync(certFile, certDer)
      const common = ['--module', SOFTHSM_MODULE, '--token-label', label, '--login', '--pin', pin, '--id', '01', '--label', card.id]
      run('pkcs11-tool', [...common, '--write-object', keyFile, '--type', 'privkey', '--usage-sign'])
      run('pkcs11-tool', [...common, '--write-object', certFile, '--type', 'cert'])
      rmSync(keyFile)
      if (opts.flags) {
        const folder = readdirSync(tokens).find((f) => !before.has(f))
        if (!folder) throw new Error(`softhsm: cannot find the folder of token ${label}`)
        setTokenFlags(join(tokens, folder, 'token.object'), opts.flags)
      }
    },
    close() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** ORs `flags` into the token flags SoftHSM2 stores in token.object. */
function setTokenFlags(file: string, flags: number) {
  const bytes = readFileSync(file)
  const marker = Buffer.from('000000008000534b0000000000000002', 'hex') // attribute CKA_OS_TOKENFLAGS, kind: unsigned long
  const at = bytes.indexOf(marker)
  if (at < 0) throw new Error(`softhsm: no token flags in ${file}`)
  const value = at + marker.length
  bytes.writeBigUInt64BE(bytes.readBigUInt64BE(value) | BigInt(flags), value)
  writeFileSync(file, bytes)
}
