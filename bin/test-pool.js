// Runs test files as plain node processes, `jobs` at a time, and prints one TAP stream: each file's output as an
// indented subtest once it ends, then `ok N - file # time=…ms` or `not ok …`; at the end the failed files by name and
// a plain 'N passed, N failed' line (of files), so that a log cut to its tail still says what failed.
//
// Each file is a tap test run as `node <file>`: tap's root test keeps its own timeout (TAP_TIMEOUT, which a file may
// lengthen with t.setTimeout), prints its counts, and exits non-zero when anything failed. A file that hangs so
// hard its own timer cannot fire is killed after BACKSTOP_MS.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const BACKSTOP_MS = 60 * 60_000

/** The test files (paths relative to root, as .ts sources) a target names: a test file, or a folder's test files. */
function testFiles(root, target) {
  const rel = relative(root, join(root, target)).replace(/\.test\.js$/, '.test.ts')
  const abs = join(root, rel)
  if (!existsSync(abs)) throw new Error(`no such test file or folder: ${target}`)
  if (statSync(abs).isFile()) {
    if (!rel.endsWith('.test.ts')) throw new Error(`not a test file (*.test.ts): ${target}`)
    return [rel]
  }
  return readdirSync(abs, { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(rel, f))
}

/** The machine-wide resource a test file holds for its whole run ('vpcd' when it calls holdVpcd), or undefined. */
export function exclusiveResourceOf(path) {
  return /\bholdVpcd\(/.test(readFileSync(path, 'utf8')) ? 'vpcd' : undefined
}

const count = (out, key) => Number(new RegExp(`^# \\{.*\\b${key}: (\\d+)`, 'm').exec(out)?.[1] ?? 0)

/**
 * Runs the files `targets` name (relative to root) in `cwd` (the repository, or the test build), from their compiled
 * .js (compiled) or their .ts through tsx. Resolves true when every file passed.
 */
export async function runTestFiles({ root, cwd, targets, compiled, jobs, timeoutSeconds, env }) {
  const files = [...new Set(targets.flatMap((t) => testFiles(root, t)))].sort()
  if (!files.length) throw new Error(`no test files in ${targets.join(' ')}`)
  const started = performance.now()
  const totals = { total: 0, pass: 0, fail: 0 }
  const failed = []
  let n = 0
  process.stdout.write('TAP version 14\n')

  const run = (file) =>
    new Promise((resolve) => {
      const script = compiled ? file.replace(/\.ts$/, '.js') : file
      const nodeArgs = [...(compiled ? [] : ['--import=tsx']), '--enable-source-maps', script]
      const t0 = performance.now()
      const child = spawn(process.execPath, nodeArgs, {
        cwd,
        env: { ...process.env, ...env, TAP_TIMEOUT: String(timeoutSeconds) },
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      let out = ''
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (d) => (out += d))
      const backstop = setTimeout(() => child.kill('SIGKILL'), BACKSTOP_MS)
      child.on('close', (code, signal) => {
        clearTimeout(backstop)
        resolve({ file, ok: code === 0 && !signal, code, signal, out, ms: performance.now() - t0 })
      })
    })

  const report = (r) => {
    n++
    const body = r.out
      .split('\n')
      .filter((l) => l && !/^TAP version/.test(l))
      .map((l) => `    ${l}`)
      .join('\n')
    const how = r.ok ? '' : ` (exit ${r.signal ?? r.code})`
    process.stdout.write(`# Subtest: ${r.file}\n${body}\n${r.ok ? 'ok' : 'not ok'} ${n} - ${r.file}${how} # time=${r.ms.toFixed(3)}ms\n\n`)
    for (const k of Object.keys(totals)) totals[k] += count(r.out, k)
    if (!r.ok) failed.push(r.file)
  }

  // Files that hold one machine-wide resource (the vpcd slots: holdVpcd) wait for each other on its lock; a job slot
  // that waits there does no work. A free slot takes the next file whose resource is free, in the sorted order.
  const exclusive = new Map(files.map((f) => [f, exclusiveResourceOf(join(root, f))]))
  const held = new Set()
  const pending = [...files]
  const wakeups = []
  const take = () => {
    const i = pending.findIndex((f) => !held.has(exclusive.get(f)))
    return i < 0 ? undefined : pending.splice(i, 1)[0]
  }
  const worker = async () => {
    while (pending.length) {
      const file = take()
      if (file === undefined) {
        // every file left waits for a resource a running file holds: wait for one to end
        await new Promise((resolve) => wakeups.push(resolve))
        continue
      }
      const resource = exclusive.get(file)
      if (resource) held.add(resource)
      const r = await run(file)
      if (resource) held.delete(resource)
      wakeups.splice(0).forEach((w) => w())
      report(r)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, files.length)) }, worker))

  process.stdout.write(`1..${n}\n# ${JSON.stringify(totals)}\n# time=${(performance.now() - started).toFixed(3)}ms\n`)
  for (const f of failed) console.log(`FAILED: ${f}`)
  console.log(`\n${n - failed.length} passed, ${failed.length} failed`)
  return failed.length === 0
}
