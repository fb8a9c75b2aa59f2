// Zip-bomb guard for uploaded .xlsx files, run before ExcelJS loads one: the zip's entries are counted, their
// declared sizes summed against a cap and against the file's size (ratio), and then really inflated, streaming, with
// yauzl checking each entry against its declared size, so a file that lies in its headers stops at the cap too.
import yauzl from 'yauzl'
import { DomainError } from '../../domain/errors.js'

export interface XlsxLimits {
  /** total uncompressed bytes */
  maxBytes: number
  /** total uncompressed bytes / file bytes */
  maxRatio: number
  maxEntries: number
}

export const XLSX_LIMITS: XlsxLimits = { maxBytes: 100 * 1024 * 1024, maxRatio: 200, maxEntries: 500 }

const refuse = (reason: string) => new DomainError('BATCH_FILE_INVALID', { reason }, '上傳的 Excel 檔案過大或格式異常（解壓縮後超過上限），請分批上傳')

export function checkXlsxSize(content: Buffer, limits: XlsxLimits = XLSX_LIMITS): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(content, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) return reject(new DomainError('BATCH_FILE_INVALID', { reason: 'xlsx' }))
      let entries = 0
      let declared = 0
      let inflated = 0
      const fail = (e: DomainError) => {
        zip.close()
        reject(e)
      }
      zip.on('error', () => fail(new DomainError('BATCH_FILE_INVALID', { reason: 'xlsx' })))
      zip.on('end', () => resolve())
      zip.on('entry', (entry: yauzl.Entry) => {
        entries++
        declared += entry.uncompressedSize
        if (entries > limits.maxEntries) return fail(refuse('entries'))
        if (declared > limits.maxBytes || declared > limits.maxRatio * content.length) return fail(refuse('declared size'))
        if (entry.fileName.endsWith('/')) return zip.readEntry()
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return fail(new DomainError('BATCH_FILE_INVALID', { reason: 'xlsx' }))
          stream.on('data', (chunk: Buffer) => {
            inflated += chunk.length
            if (inflated > limits.maxBytes) {
              stream.destroy()
              fail(refuse('inflated size'))
            }
          })
          stream.on('error', () => fail(refuse('entry larger than declared')))
          stream.on('end', () => zip.readEntry())
        })
      })
      zip.readEntry()
    })
  })
}
