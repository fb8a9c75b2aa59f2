// The arrows point inward: domain/ imports nothing of the outer layers and does no I/O; the card agent (reader/) and
// the command side (commands/, including the seed and the demo PKI) never import the web server (http/). Scans every
// import and export-from of every .ts file, static and dynamic, and names each wrong arrow.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = join(dir, e.name)
    if (e.isDirectory()) return tsFiles(rel)
    return e.isFile() && e.name.endsWith('.ts') ? [rel] : []
  })
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g

/** [importing file, imported module (a top-level folder for relative imports, the bare name otherwise)] */
function arrows(dir: string): Array<{ file: string; target: string }> {
  return tsFiles(dir).flatMap((file) => {
    const text = readFileSync(join(root, file), 'utf8')
    return [...text.matchAll(SPECIFIER)].map((m) => {
      const spec = m[1]!
      if (!spec.startsWith('.')) return { file, target: spec }
      const top = relative(root, resolve(root, dirname(file), spec)).split(/[\\/]/)[0]!
      return { file, target: `${top}/` }
    })
  })
}

const rules: Array<{ dir: string; forbidden: (target: string) => boolean; why: string }> = [
  { dir: 'reader', forbidden: (x) => x === 'http/', why: 'the card agent does not import the web server' },
  { dir: 'commands', forbidden: (x) => x === 'http/', why: 'the command side (seed, demo PKI) does not import the web server' },
  {
    dir: 'domain',
    forbidden: (x) => ['http/', 'commands/', 'projections/', 'reader/', 'exporter/', 'views/'].includes(x) || /^(node:)?(fs|net|http|https|child_process|dgram|fs\/promises)$/.test(x) || x === 'pg',
    why: 'domain/ is pure: no outer layer, no I/O',
  },
]

for (const rule of rules) {
  t.test(`${rule.dir}/: ${rule.why}`, async (t) => {
    const wrong = arrows(rule.dir).filter((a) => rule.forbidden(a.target))
    t.same(wrong.map((a) => `${a.file} → ${a.target}`), [], rule.why)
  })
}

t.test('the scanner sees arrows (it is not vacuously green)', async (t) => {
  const seen = arrows('reader')
  t.ok(seen.some((a) => a.target === 'domain/'), 'reader/ → domain/ is seen')
})
