// Reading url-encoded / multipart form bodies into plain strings and lists, the same way for both encodings.
export type RawForm = Record<string, unknown>

function valueOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') return (v as { value: string }).value
  return undefined
}

/** One text field (first value when repeated), trimmed; '' when absent. */
export function str(form: RawForm | undefined, name: string): string {
  const v = form?.[name]
  if (Array.isArray(v)) return (valueOf(v[0]) ?? '').trim()
  return (valueOf(v) ?? '').trim()
}

/** A repeated field as a list (keeps empty strings, so parallel lists stay aligned). */
export function list(form: RawForm | undefined, name: string): string[] {
  const v = form?.[name] ?? form?.[`${name}[]`]
  if (v === undefined) return []
  const arr = Array.isArray(v) ? v : [v]
  return arr.map((x) => (valueOf(x) ?? '').trim())
}

export interface UploadedFile {
  filename: string
  declaredType: string
  content: Buffer
}

/** Files of a multipart field (attachFieldsToBody mode), empty file inputs left out. */
export async function files(form: RawForm | undefined, name: string): Promise<UploadedFile[]> {
  const v = form?.[name]
  if (v === undefined) return []
  const arr = Array.isArray(v) ? v : [v]
  const out: UploadedFile[] = []
  for (const f of arr) {
    if (!f || typeof f !== 'object' || (f as { type?: string }).type !== 'file') continue
    const part = f as { filename: string; mimetype: string; toBuffer: () => Promise<Buffer> }
    const content = await part.toBuffer()
    if (!part.filename && content.length === 0) continue
    out.push({ filename: part.filename, declaredType: part.mimetype, content })
  }
  return out
}

export type FieldErrors = Record<string, string>
