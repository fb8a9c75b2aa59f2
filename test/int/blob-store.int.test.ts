import t from 'tap'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { createFileBlobStore } from '../../commands/attachments/blob-store.js'
import { ATTACHMENT_MAX_BYTES } from '../../commands/attachments/content-type.js'

const dir = await mkdtemp(join(tmpdir(), 'blobs-'))
const blobs = createFileBlobStore(dir)
const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])

t.test('stores by content hash, type from content, same content once', async (t) => {
  const a = await blobs.put('證明.pdf', pdf)
  t.equal(a.hash, createHash('sha256').update(pdf).digest('hex'))
  t.equal(a.type, 'application/pdf')
  t.equal(a.size, pdf.length)
  t.equal(a.name, '證明.pdf')
  const b = await blobs.put('again.pdf', pdf)
  t.equal(b.hash, a.hash)
  t.same(await blobs.get(a.hash), pdf)
  const files = await readdir(join(dir, a.hash.slice(0, 2)))
  t.same(files, [a.hash], 'no temporary file left behind')
})

t.test('a PNG renamed .pdf is a PNG; a text file is refused whatever its name', async (t) => {
  t.equal((await blobs.put('photo.pdf', png)).type, 'image/png')
  await t.rejects(blobs.put('fake.pdf', Buffer.from('hello, not a pdf')), { code: 'ATTACHMENT_TYPE' })
})

t.test('too large is refused; bad hashes read nothing', async (t) => {
  const big = Buffer.alloc(ATTACHMENT_MAX_BYTES + 1)
  pdf.copy(big)
  await t.rejects(blobs.put('big.pdf', big), { code: 'ATTACHMENT_TOO_LARGE' })
  t.equal(await blobs.get('../../etc/passwd'), undefined)
  t.equal(await blobs.get('0'.repeat(64)), undefined)
})

t.test('path characters in names are neutralised', async (t) => {
  t.equal((await blobs.put('../../x/evil.pdf', pdf)).name, '.._.._x_evil.pdf')
})
