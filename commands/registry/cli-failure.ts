// How the import subcommands (registry import, import legacy) end on a failure: a usage error prints its message
// and the usage and exits 2, a file that cannot be read as a table exits 1, anything else is thrown on.
import { FileFormatError } from './tabular-file.js'

export class UsageError extends Error {}

export function cliFailure(e: unknown, usage: string, complain: (line: string) => void): number {
  if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    complain(`${(e as Error).message}\n${usage}`)
    return 2
  }
  if (e instanceof FileFormatError) {
    complain(e.message)
    return 1
  }
  throw e
}
