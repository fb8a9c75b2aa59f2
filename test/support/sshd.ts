// A real OpenSSH sshd for SFTP tests: `/usr/sbin/sshd -D -f <tmp config>` on a free loopback port, with a
// throw-away host key and a throw-away user key for root (internal-sftp, no PAM). Fails loudly if sshd is missing.
// stop() drops the listener AND the live sessions (a connection cut); start() brings it back on the same port.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const SSHD = '/usr/sbin/sshd'
const SSH_KEYGEN = '/usr/bin/ssh-keygen'

export interface TestSshd {
  host: string
  port: number
  username: string
  /** Directory to upload into (the test's remote directory). */
  uploadDir: string
  /** The user's private key (OpenSSH format), and its file. */
  userKey: Buffer
  userKeyFile: string
  /** The host key's fingerprint as `ssh-keygen -l -E sha256` prints it. */
  hostKeyFingerprint: string
  /** Kills the listener and every session process it started (connections are cut). */
  stop(): Promise<void>
  /** Starts it again on the same port with the same keys. */
  start(): Promise<void>
  /** stop() and remove the temporary directory. */
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${stderr()}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${stderr()}`)
}

/** Every descendant pid of `root` (from /proc). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(name))
      children.set(ppid, list)
    } catch {
      // process gone meanwhile
    }
  }
  const out: number[] = []
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c)
      walk(c)
    }
  }
  walk(root)
  return out
}

export interface SshdOptions {
  /**
   * SFTP requests the server refuses (internal-sftp -P, names as `sftp-server -Q requests` lists them, e.g.
   * 'posix-rename', 'fsync'). OpenSSH still advertises its extensions; a refused one answers "permission denied".
   */
  sftpDenyRequests?: string[]
}

export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  if (!existsSync(SSHD) || !existsSync(SSH_KEYGEN)) {
    throw new Error(`OpenSSH server is required for the SFTP tests: ${SSHD} or ${SSH_KEYGEN} is missing (apt-get install openssh-server)`)
  }
  if (process.getuid?.() !== 0) throw new Error('the SFTP tests run sshd as root (PermitRootLogin prohibit-password); run them as root')
  await mkdir('/run/sshd', { recursive: true }) // sshd's privilege-separation directory
  const dir = await mkdtemp(join(tmpdir(), 'baobei-sshd-'))
  const uploadDir = join(dir, 'upload')
  await mkdir(uploadDir)
  const hostKey = join(dir, 'host_ed25519')
  const userKey = join(dir, 'user_ed25519')
  await run(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'baobei-test-host', '-f', hostKey])
  await run(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'baobei-test-user', '-f', userKey])
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${userKey}.pub`))
  const fp = (await run(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])).stdout
  const hostKeyFingerprint = /(SHA256:[A-Za-z0-9+/]+)/.exec(fp)?.[1]
  if (!hostKeyFingerprint) throw new Error(`unexpected ssh-keygen -l output: ${fp}`)
  const port = await freePort()
  const config = join(dir, 'sshd_config')
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      `Subsystem sftp internal-sftp${opts.sftpDenyRequests?.length ? ` -P ${opts.sftpDenyRequests.join(',')}` : ''}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  )

  let child: ChildProcess | undefined
  let log = ''
  const start = async () => {
    log = ''
    const c = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    c.stderr!.on('data', (b: Buffer) => (log += b.toString()))
    child = c
    await waitForPort(port, c, () => log)
  }
  const stop = async () => {
    const c = child
    if (!c || c.exitCode !== null || c.pid === undefined) return
    for (const pid of descendants(c.pid)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()))
    c.kill('SIGKILL')
    await exited
    child = undefined
  }
  await start()
  return {
    host: '127.0.0.1',
    port,
    username: 'root',
    uploadDir,
    userKey: await readFile(userKey),
    userKeyFile: userKey,
    hostKeyFingerprint,
    stop,
    start,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
