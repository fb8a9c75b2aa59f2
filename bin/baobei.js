#!/usr/bin/env node
// baobei CLI. TypeScript sources run through tsx (no build step); in a compiled tree (the test build,
// bin/test-build.js) cli.js sits beside this file and runs as it is.
import { existsSync } from 'node:fs'

const compiled = new URL('./cli.js', import.meta.url)
let main
if (existsSync(compiled)) ({ main } = await import(compiled.href))
else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('./cli.ts'))
}
process.exitCode = await main(process.argv.slice(2))
