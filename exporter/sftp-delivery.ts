// Uploads one file over SFTP (ssh2) the safe way: pinned host key, upload to a temporary name, fsync, atomic rename.
//   - host key: the server's key must hash (SHA-256, OpenSSH `SHA256:base64` form) to the configured fingerprint,
//     checked in hostVerifier before authenticating; a mismatch refuses the connection and logs an alert;
//   - `<name>.part` is opened with truncation, so a partial upload from an earlier failed run is overwritten;
//   - fsync@openssh.com when the server offers it; then posix-rename@openssh.com (atomic, replaces), or plain
//     rename when the server lacks the extension.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { posix } from 'node:path'
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2'
import type { Config } from '../commands/platform/config.js'
import type { Logger } from '../commands/platform/logger.js'
import { DomainError } from '../domain/errors.js'

export interface SftpTarget {
  host: string
  port: number
  username: string
  password?: string
  privateKey?: Buffer | string
  passphrase?: string
  /** Pinned host key, OpenSSH form `SHA256:<base64>` (trailing `=` optional). */
  hostKeySha256: string
  /** Remote directory the file goes to ('.' = the login directory). */
  remoteDir: string
  readyTimeoutMs?: number
}

export interface UploadResult {
  remotePath: string
  hostKeyFingerprint: string
  bytes: number
  fsynced: boolean
  atomicRename: boolean
}

export interface UploadOptions {
  logger?: Logger
  /** Called (and awaited) as bytes are acknowledged by the server. */
  onProgress?: (sent: number, total: number) => void | Promise<void>
}

/** The SFTP target from configuration; SFTP_NOT_CONFIGURED names what is missing. */
export async function sftpTargetFromConfig(config: Config): Promise<SftpTarget> {
  const missing: string[] = []
  if (!config.SFTP_HOST) missing.push('SFTP_HOST')
  if (!config.SFTP_USER) missing.push('SFTP_USER')
  if (!config.SFTP_HOST_KEY_SHA256) missing.push('SFTP_HOST_KEY_SHA256')
  if (!config.SFTP_KEY_FILE && config.SFTP_PASSWORD === undefined) missing.push('SFTP_KEY_FILE or SFTP_PASSWORD')
  if (missing.length) throw new DomainError('SFTP_NOT_CONFIGURED', { missing }, [missing.join('、')])
  const target: SftpTarget = {
    host: config.SFTP_HOST!,
    port: config.SFTP_PORT,
    username: config.SFTP_USER!,
    hostKeySha256: config.SFTP_HOST_KEY_SHA256!,
    remoteDir: config.SFTP_REMOTE_DIR,
  }
  if (config.SFTP_KEY_FILE) target.privateKey = await readFile(config.SFTP_KEY_FILE)
  if (config.SFTP_PASSWORD !== undefined) target.password = config.SFTP_PASSWORD
  return target
}

/** OpenSSH fingerprint of a raw public key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

const sameFingerprint = (a: string, b: string) => a.replace(/=+$/, '') === b.replace(/=+$/, '')

const WRITE_CHUNK = 32 * 1024
const IN_FLIGHT = 16

/** Uploads `localPath` as `<remoteDir>/<remoteName>`. Throws HOST_KEY_MISMATCH or SFTP_DELIVERY_FAILED (with reason). */
export async function uploadFile(target: SftpTarget, localPath: string, remoteName: string, opts: UploadOptions = {}): Promise<UploadResult> {
  const log = opts.logger
  const remotePath = target.remoteDir === '.' ? remoteName : posix.join(target.remoteDir, remoteName)
  const tempPath = `${remotePath}.part`
  const total = (await stat(localPath)).size
  let seen: string | undefined
  let mismatch = false
  const conn = new Client()
  try {
    const sftp = await connect(conn, target, (fp) => {
      seen = fp
      mismatch = !sameFingerprint(fp, target.hostKeySha256)
      return !mismatch
    })
    // Pending SFTP requests are not always answered when the connection drops: the whole transfer races the close.
    let onClose!: () => void
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new Error('connection closed by the server during the transfer'))
      conn.once('close', onClose)
    })
    closed.catch(() => {})
    const transfer = async () => {
      const handle = await call<Buffer>((cb) => sftp.open(tempPath, 'w', 0o644, cb))
      await writeAll(sftp, handle, localPath, total, opts.onProgress)
      let fsynced = false
      try {
        await call((cb) => sftp.ext_openssh_fsync(handle, cb))
        fsynced = true
      } catch (e) {
        if (!/does not support/.test((e as Error).message)) throw e
        log?.warn({ host: target.host }, 'SFTP server lacks fsync@openssh.com: uploaded without a remote fsync')
      }
      await call((cb) => sftp.close(handle, cb))
      let atomicRename = true
      try {
        await call((cb) => sftp.ext_openssh_rename(tempPath, remotePath, cb))
      } catch (e) {
        if (!/does not support/.test((e as Error).message)) throw e
        atomicRename = false
        log?.warn({ host: target.host }, 'SFTP server lacks posix-rename@openssh.com: using plain rename')
        await plainRename(sftp, tempPath, remotePath)
      }
      return { fsynced, atomicRename }
    }
    const running = transfer()
    running.catch(() => {}) // when the close wins the race, the transfer's own late failure is expected
    const { fsynced, atomicRename } = await Promise.race([running, closed])
    conn.off('close', onClose)
    return { remotePath, hostKeyFingerprint: seen!, bytes: total, fsynced, atomicRename }
  } catch (e) {
    if (mismatch) {
      log?.error(
        { alert: 'SFTP_HOST_KEY_MISMATCH', host: target.host, port: target.port, expected: target.hostKeySha256, presented: seen },
        'ALERT: SFTP host key does not match the pinned fingerprint; connection refused',
      )
      throw new DomainError('HOST_KEY_MISMATCH', { host: target.host, expected: target.hostKeySha256, presented: seen })
    }
    if (e instanceof DomainError) throw e
    const reason = (e as Error).message
    throw new DomainError('SFTP_DELIVERY_FAILED', { host: target.host, reason }, [reason])
  } finally {
    conn.end()
  }
}

function connect(conn: Client, t: SftpTarget, verify: (fingerprint: string) => boolean): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (e: Error) => {
      if (!settled) {
        settled = true
        reject(e)
      }
    }
    conn.once('error', fail)
    conn.once('close', () => fail(new Error('connection closed')))
    conn.once('ready', () => {
      conn.sftp((err, sftp) => {
        if (err) return fail(err)
        settled = true
        // Later connection errors surface through the pending SFTP requests; keep them from being unhandled.
        conn.on('error', () => {})
        resolve(sftp)
      })
    })
    const cfg: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.username,
      readyTimeout: t.readyTimeoutMs ?? 20_000,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => verify(hostKeyFingerprint(key)),
    }
    if (t.privateKey !== undefined) cfg.privateKey = t.privateKey
    if (t.passphrase !== undefined) cfg.passphrase = t.passphrase
    if (t.password !== undefined) cfg.password = t.password
    conn.connect(cfg)
  })
}

/** Promisifies one SFTP call; a synchronous throw (e.g. unsupported extension) rejects too. */
function call<T = void>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(err) : resolve(value as T)))
    } catch (e) {
      reject(e)
    }
  })
}

async function writeAll(
  sftp: SFTPWrapper,
  handle: Buffer,
  localPath: string,
  total: number,
  onProgress?: (sent: number, total: number) => void | Promise<void>,
) {
  const inFlight = new Set<Promise<void>>()
  let failure: Error | undefined
  let offset = 0
  let acked = 0
  for await (const chunk of createReadStream(localPath, { highWaterMark: WRITE_CHUNK })) {
    const buf = chunk as Buffer
    const at = offset
    offset += buf.length
    const p: Promise<void> = call((cb) => sftp.write(handle, buf, 0, buf.length, at, cb)).then(
      () => {
        acked += buf.length
      },
      (e: Error) => {
        failure ??= e
      },
    )
    const tracked = p.finally(() => inFlight.delete(tracked))
    inFlight.add(tracked)
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight)
    if (failure) throw failure
    await onProgress?.(acked, total)
  }
  await Promise.all(inFlight)
  if (failure) throw failure
  await onProgress?.(acked, total)
}

/** rename without the OpenSSH extension: SFTP v3 rename refuses an existing target, so a stale one is removed first. */
async function plainRename(sftp: SFTPWrapper, from: string, to: string) {
  try {
    await call((cb) => sftp.rename(from, to, cb))
  } catch (e) {
    const exists = await call<unknown>((cb) => sftp.stat(to, (e, st) => cb(e, st))).then(
      () => true,
      () => false,
    )
    if (!exists) throw e
    await call((cb) => sftp.unlink(to, cb))
    await call((cb) => sftp.rename(from, to, cb))
  }
}
