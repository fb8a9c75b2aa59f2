// Attachment types are decided by content (magic bytes), never by the file name or the browser's claim.
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

export type AttachmentType = 'application/pdf' | 'image/png' | 'image/jpeg'

export function sniffAttachmentType(bytes: Uint8Array): AttachmentType | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b)
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf' // %PDF-
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  return undefined
}
