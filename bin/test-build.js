// The test build: the sources compiled once to JavaScript in .test-build/, where `npm test` runs the suite.
//
// Without it every test process (~170 files, and the child processes some of them start) loads the sources through
// tsx's module hook, which on Node 20 runs on a thread of its own: every import of every module, node_modules
// included, crosses to that thread and back (see bin/run-tests.js for the figures), and the suite is CPU-bound. esbuild (the compiler tsx itself
// uses, with the same tsconfig) compiles the ~500 files in about a second.
//
// The tree is a full copy: every non-TypeScript file (views, migrations, fixtures, scripts) sits where the code looks
// for it, and the .ts sources stay beside their .js (tests that read the sources, child processes started with tsx).
// package.json comes along (ESM, and the config tests read); test-output/ is the repository's own, so screenshots land
// where README says.
import { build } from 'esbuild'
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'

export const TEST_BUILD = '.test-build'
const DIRS = ['bin', 'domain', 'commands', 'projections', 'http', 'views', 'reader', 'exporter', 'test', 'bench']

const tsFiles = (dir) =>
  readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}

/**
 * Builds a test build of its own for this run, `root`/.test-build/<pid> (so that a run of some files beside a
 * running suite leaves the suite's build alone), removes the builds of runs that have ended, and returns its path.
 * The build is removed when this process exits.
 */
export async function buildTests(root) {
  const base = join(root, TEST_BUILD)
  mkdirSync(base, { recursive: true })
  for (const d of readdirSync(base)) if (!/^\d+$/.test(d) || !alive(Number(d))) rmSync(join(base, d), { recursive: true, force: true })
  const out = join(base, String(process.pid))
  mkdirSync(out)
  process.once('exit', () => rmSync(out, { recursive: true, force: true }))
  for (const d of DIRS) cpSync(join(root, d), join(out, d), { recursive: true })
  await build({
    entryPoints: DIRS.flatMap((d) => tsFiles(join(root, d))),
    outdir: out,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: join(root, 'tsconfig.json'),
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  cpSync(join(root, 'package.json'), join(out, 'package.json'))
  mkdirSync(join(root, 'test-output'), { recursive: true })
  symlinkSync(join(root, 'test-output'), join(out, 'test-output'))
  return out
}
