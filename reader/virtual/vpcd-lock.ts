// vpcd's two slots are shared by the whole machine. Whoever plugs virtual cards in (`baobei reader --virtual`, the
// reader integration tests, e2e runs) holds this lock first, so two of them never fight over the slots.
// The lock is a directory (atomic mkdir) holding the owner's pid; a lock whose owner died is broken.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const VPCD_LOCK = join(tmpdir(), 'baobei-vpcd.lock')

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock, waiting up to `timeoutMs`; returns the release function (also run at process exit). */
export async function lockVpcd(timeoutMs = 120_000, onWait?: (ownerPid: number) => void): Promise<() => void> {
  const end = Date.now() + timeoutMs
  let told = false
  for (;;) {
    try {
      mkdirSync(VPCD_LOCK)
      writeFileSync(join(VPCD_LOCK, 'pid'), String(process.pid))
      let released = false
      const release = () => {
        if (released) return
        released = true
        process.off('exit', release)
        rmSync(VPCD_LOCK, { recursive: true, force: true })
      }
      process.once('exit', release)
      return release
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      let owner = NaN
      try {
        owner = Number(readFileSync(join(VPCD_LOCK, 'pid'), 'utf8'))
      } catch {
        /* being written */
      }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        rmSync(VPCD_LOCK, { recursive: true, force: true })
        continue
      }
      if (!told && Number.isInteger(owner)) {
        told = true
        onWait?.(owner)
      }
      if (Date.now() > end) throw new Error(`the vpcd slots are held by pid ${owner} (lock ${VPCD_LOCK}) for more than ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}
