// Whether this tree runs compiled (the test build, bin/test-build.js: a .js beside each .ts) or from its TypeScript
// sources through tsx, and a module as the tree runs it. The one answer for the modules that start code of their own
// (a worker thread, a child process); bin/baobei.js, plain JavaScript that runs before TypeScript can load, asks
// the same question its own way (is cli.js beside it).
export const COMPILED = import.meta.url.endsWith('.js')

/** A module, named by its .ts source's URL, as this tree runs it: its compiled .js when compiled. */
export const runnable = (source: URL): URL => (COMPILED ? new URL(source.href.replace(/\.ts$/, '.js')) : source)
