#!/usr/bin/env node
// Runs the whole test suite: makes sure the services the tests need are there (idempotent), then tap over test/.
// Prints a plain closing line 'N passed, N failed' (test files). Usage: npm test [-- <tap args or files>]
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname
process.chdir(root)
if (!process.env.BAOBEI_SKIP_SERVICES && existsSync('test/support/services.sh')) {
  const r = spawnSync('bash', ['test/support/services.sh'], { stdio: 'inherit' })
  if (r.status !== 0) {
    console.error('test services could not be set up (test/support/services.sh failed)')
    process.exit(r.status ?? 1)
  }
}
// pcsclite is optional (a bare machine without PC/SC headers can still run the system); once services.sh has
// installed the headers, make sure the native module is really there before the reader tests need it.
if (!process.env.BAOBEI_SKIP_SERVICES) {
  const probe = spawnSync(process.execPath, ['-e', "require('pcsclite')"], { stdio: 'ignore' })
  if (probe.status !== 0) {
    console.log('pcsclite is not built yet: installing it now that the PC/SC headers are present')
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
}
// tap builds its Test class with the plugins of the config (package.json "tap": "!@tapjs/typescript", tsx loads
// the sources). After `npm install` the built class has tap's default plugins, and the runner, which rebuilds it when
// the two differ, reads its test processes' loaders before rebuilding: the first run after every install (every CI
// run) loaded ts-node into each of the ~170 test processes beside tsx (~3.5 s of CPU and ~200 MB each, unused).
// Build it here, in a process of its own, before the runner starts.
const { TapConfig } = await import('@tapjs/config')
const { signature } = await import('@tapjs/test')
if ((await TapConfig.load()).pluginSignature !== signature) {
  console.log("tap's test class was built with other plugins than the config names: building it now (tap build)")
  const r = spawnSync(process.execPath, ['node_modules/tap/dist/esm/run.mjs', 'build'], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
const args = process.argv.slice(2)
const files = args
const tap = spawn(process.execPath, ['node_modules/tap/dist/esm/run.mjs', '--reporter=tap', ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, BAOBEI_TEST: '1' },
})
let passed = 0
let failed = 0
const failedFiles = []
let buf = ''
tap.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  buf += chunk
  let i
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i)
    buf = buf.slice(i + 1)
    if (/^ok \d+ /.test(line)) passed++
    else if (/^not ok \d+ /.test(line)) {
      failed++
      failedFiles.push(line.replace(/^not ok \d+ - /, '').replace(/ # time=.*$/, ''))
    }
  }
})
tap.on('close', (code) => {
  // The failing files are named last, so that a log cut to its tail still says which ones failed.
  for (const f of failedFiles) console.log(`FAILED: ${f}`)
  console.log(`\n${passed} passed, ${failed} failed`)
  process.exit(code ?? (failed ? 1 : 0))
})
