// The OCSP exchange over HTTP (RFC 6960 Appendix A: POST application/ocsp-request), bounded: http(s) URLs only, a
// timeout for the whole exchange, no redirects, and an answer size limit enforced while it streams in.
import { randomBytes } from 'node:crypto'
import { buildOcspRequest, checkOcspResponse, OcspInvalid, type OcspAnswer } from '../../domain/card/ocsp.js'

export interface OcspClientOptions {
  /** Whole exchange, ms (default 3000). */
  timeoutMs?: number
  /** Largest answer accepted, bytes (default 64 KiB). */
  maxBytes?: number
}

export const OCSP_TIMEOUT_MS = 3000
export const OCSP_MAX_BYTES = 64 * 1024

/** POSTs an OCSP request and returns the answer's bytes; throws on anything but a bounded 200. */
export async function postOcsp(url: string, body: Buffer, opts: OcspClientOptions = {}): Promise<Buffer> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new OcspInvalid(`not a URL: ${url.slice(0, 200)}`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OcspInvalid(`OCSP URL must be http(s): ${u.protocol}`)
  const max = opts.maxBytes ?? OCSP_MAX_BYTES
  const res = await fetch(u, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
    redirect: 'error',
    signal: AbortSignal.timeout(opts.timeoutMs ?? OCSP_TIMEOUT_MS),
  })
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel()
    throw new OcspInvalid(`responder answered HTTP ${res.status}`)
  }
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body.cancel()
    throw new OcspInvalid(`answer larger than ${max} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > max) throw new OcspInvalid(`answer larger than ${max} bytes`)
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

/**
 * Asks the responders at `urls` (in order) about one certificate; the first valid answer wins. undefined when no
 * responder gave a valid answer (down, slow, too large, badly signed, stale, wrong nonce): the caller falls back.
 */
export async function askOcsp(
  urls: readonly string[],
  q: { certificate: Buffer; issuer: Buffer; now: Date },
  opts: OcspClientOptions = {},
  onProblem: (url: string, reason: string) => void = () => {},
): Promise<OcspAnswer | undefined> {
  for (const url of urls.slice(0, 3)) {
    const nonce = randomBytes(16)
    try {
      const der = await postOcsp(url, buildOcspRequest(q.certificate, q.issuer, nonce), opts)
      return checkOcspResponse(der, { ...q, nonce })
    } catch (e) {
      onProblem(url, (e as Error).message)
    }
  }
  return undefined
}
