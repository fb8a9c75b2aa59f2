// A one-line progress display for long days, on a TTY only (silent otherwise), redrawn at most 10 times a second.
export interface Progress {
  update(label: string, done: number, total?: number): void
  done(): void
}

export function createProgress(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, clock: () => number = Date.now): Progress {
  if (!out.isTTY) return { update() {}, done() {} }
  let last = -Infinity
  let drawn = false
  return {
    update(label, done, total) {
      const now = clock()
      if (now - last < 100 && (total === undefined || done < total)) return
      last = now
      let line = `${label} ${done.toLocaleString('en-US')}`
      if (total !== undefined && total > 0) {
        const ratio = Math.min(1, done / total)
        const width = 30
        const filled = Math.round(ratio * width)
        line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(ratio * 100)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`
      }
      out.write(`\r${line.slice(0, (out.columns ?? 100) - 1)}\x1b[K`)
      drawn = true
    },
    done() {
      if (drawn) out.write('\r\x1b[K')
      drawn = false
    },
  }
}
