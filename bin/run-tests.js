#!/usr/bin/env node
// Runs the whole test suite: makes sure the services the tests need are there (idempotent), then every test file
// under test/ (bin/test-pool.js). Prints a plain closing line 'N passed, N failed' (test files).
// Usage: npm test [-- <test files or folders>]
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

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
// Build it here, in a process of its own, before any test file imports it.
const { TapConfig } = await import('@tapjs/config')
const { signature } = await import('@tapjs/test')
if ((await TapConfig.load()).pluginSignature !== signature) {
  console.log("tap's test class was built with other plugins than the config names: building it now (tap build)")
  const r = spawnSync(process.execPath, ['node_modules/tap/dist/esm/run.mjs', 'build'], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
// The suite runs on the test build (bin/test-build.js: the sources compiled to JavaScript once), each test file a
// plain `node <file>` whose TAP output is gathered here, three at a time. Not through tap's runner: on Node 20 it
// starts every test process with its process-info module hook (@tapjs/processinfo, for coverage and --changed, which
// this suite does not use) running on a thread of its own, so every import of every module crosses threads; with
// tsx's hook beside it importing the app cost ~3.8 s of CPU per process against ~1.7 s compiled and hookless, and the
// suite is CPU-bound. Each file is still a tap test (tap's own timeout per file, t.setTimeout in a file, exit code);
// `npx tap <file.ts>` still runs one from the sources. BAOBEI_TEST_FROM_SOURCES=1 runs them here from the .ts sources
// through tsx instead of the build.
const { runTestFiles } = await import('./test-pool.js')
const fromSources = Boolean(process.env.BAOBEI_TEST_FROM_SOURCES)
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const cwd = fromSources ? root : await (await import('./test-build.js')).buildTests(root)
const args = process.argv.slice(2)
const unknown = args.filter((a) => a.startsWith('-'))
if (unknown.length) {
  console.error(`npm test takes test files or folders only (not ${unknown.join(' ')}); for tap's options run npx tap <file.ts>`)
  process.exit(2)
}
const ok = await runTestFiles({
  root,
  cwd,
  targets: args.length ? args : ['test'],
  compiled: !fromSources,
  jobs: Number(process.env.BAOBEI_TEST_JOBS ?? pkg.tap.jobs ?? 3),
  timeoutSeconds: Number(pkg.tap.timeout ?? 300),
  env: { BAOBEI_TEST: '1' },
})
process.exit(ok ? 0 : 1)
