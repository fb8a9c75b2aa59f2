// The suite's runner (bin/test-pool.js): files that hold the vpcd slots (holdVpcd) never run side by side, and a
// job slot that cannot take the next of them takes another file instead of waiting for the lock.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const POOL = new URL('../../bin/test-pool.js', import.meta.url).pathname.replace(/\/\.test-build\/\d+\//, '/')

t.test('two vpcd holders run one after the other; a plain file takes the free slot meanwhile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-pool-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = (name: string, holds: boolean, ms: number) => {
    // the .ts is what the pool scans (and names); the .js is what it runs (compiled: true)
    writeFileSync(join(dir, `${name}.test.ts`), holds ? 'await holdVpcd(t)\n' : '// plain\n')
    writeFileSync(join(dir, `${name}.test.js`), `import { appendFileSync } from 'node:fs'
appendFileSync(${JSON.stringify(join(dir, 'log'))}, '${name} start ' + Date.now() + '\\n')
await new Promise((r) => setTimeout(r, ${ms}))
appendFileSync(${JSON.stringify(join(dir, 'log'))}, '${name} end ' + Date.now() + '\\n')
console.log('TAP version 14\\n1..0')
`)
  }
  file('a-vpcd', true, 600)
  file('b-vpcd', true, 300)
  file('c-plain', false, 100)
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
    const { runTestFiles } = await import(${JSON.stringify(POOL)})
    const ok = await runTestFiles({ root: ${JSON.stringify(dir)}, cwd: ${JSON.stringify(dir)}, targets: ['.'], compiled: true, jobs: 2, timeoutSeconds: 60, env: {} })
    process.exit(ok ? 0 : 1)`], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, /3 passed, 0 failed/)
  const at: Record<string, number> = {}
  for (const line of readFileSync(join(dir, 'log'), 'utf8').trim().split('\n')) {
    const [name, what, ms] = line.split(' ')
    at[`${name} ${what}`] = Number(ms)
  }
  t.ok(at['b-vpcd start']! >= at['a-vpcd end']!, 'the second vpcd holder started after the first ended')
  t.ok(at['c-plain start']! < at['a-vpcd end']!, 'the plain file ran in the slot the second holder could not take')
})
