// How a test starts one of its child scripts (test/support/*-child.ts): in the test build (bin/test-build.js) the
// compiled .js beside it runs without a loader; from the sources, the .ts runs through tsx.

import { COMPILED, runnable } from '../../commands/platform/compiled-tree.js'

/** The node arguments that run `script` (a .ts file's URL), before the script's own arguments. */
export function childScriptArgs(script: URL): string[] {
  return COMPILED ? [runnable(script).pathname] : ['--import', 'tsx', script.pathname]
}
