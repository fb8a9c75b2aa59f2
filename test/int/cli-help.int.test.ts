// Every `baobei` subcommand answers --help with its usage (exit 0) before opening anything, and
// `baobei export --verify FILE` checks a file without opening (or creating) a database.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { main } from '../../bin/cli.js'

const COMMANDS: Record<string, RegExp> = {
  serve: /baobei serve/, project: /baobei project/, export: /baobei export --day/, reader: /baobei reader/, seed: /baobei seed/,
  migrate: /baobei migrate/, registry: /baobei registry import/, import: /baobei import legacy FILE/,
}

t.test('every subcommand answers --help and -h', async (t) => {
  const logged: string[] = []
  const log = console.log
  console.log = (...a: unknown[]) => void logged.push(a.join(' '))
  t.teardown(() => void (console.log = log))
  for (const [cmd, usage] of Object.entries(COMMANDS)) {
    for (const flag of ['--help', '-h']) {
      logged.length = 0
      t.equal(await main([cmd, flag]), 0, `${cmd} ${flag}`)
      t.match(logged.join('\n'), usage)
    }
  }
  t.equal(await main(['reader', '--virtual', '--help']), 0, 'also after other flags')
})

t.test('export --verify opens no database', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-verify-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'SUPPORT_1130301_01.txt')
  await writeFile(file, 'not a roster\r\n')
  const env = { ...process.env }
  delete env.DATABASE_URL
  delete env.DATA_DIR
  const child = spawn(process.execPath, [resolve('bin/baobei.js'), 'export', '--verify', file], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', (c) => (err += String(c)))
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
  t.equal(code, 1, 'an invalid file is reported')
  t.match(err, /SUPPORT_1130301_01\.txt/)
  t.notOk(existsSync(join(dir, 'data')), 'no ./data created')
})
