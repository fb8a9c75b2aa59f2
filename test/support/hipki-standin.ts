// TEST DOUBLE of the HiPKI LocalSignServer (中華電信 HiCOS 跨平台網頁元件). NOT the real component and not shipped: it
// exists so the Chromium e2e can drive the login page's HiPKI path. It implements the popupForm protocol as public
// integrations of the real component use it (README, 登入 → HiPKI), backed by the same SoftHSM2 tokens as the
// PKCS#11 agent tests (reader/pkcs11-backend.ts):
//   GET  /popupForm       a small page that posts {"func":"getTbs"} to its opener, takes ONE request string, sends it
//                         to the server as the form field tbsPackage, posts the answer text back and closes itself
//   POST /popupForm/bridge
//     {"func":"GetUserCert"}    → {func:"pkcs11info", ret_code:0, last_error:0, slots:[{slotDescription, token:{label,
//                                   serialNumber, certs:[{certb64, label, subjectDN, issuerDN, usage}]}}]}
//     {"func":"MakeSignature", tbs, tbsEncoding:"base64"|"NONE", hashAlgorithm:"SHA256", signatureType:"PKCS1", pin,
//      withCardSN, slotDescription?} → {func:"sign", ret_code:0, last_error:0, signature (base64 PKCS#1 v1.5 over
//                                   SHA-256(tbs)), certb64, cardSN}
//   errors: ret_code 0x76000006 no card, 0x76100003 no reader, 0x76100006 card login failed with last_error 0xA0
//   (wrong PIN), 0x80000001 (wrong PIN, 1 try left), 0xA4 (locked); 0x76000998 no PIN; 0x7600000C bad parameter.
// Like the real component it signs whatever tbs the page sends: binding the signature to the site is the login
// payload's job (domain/card/login-payload.ts), checked by the server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type forge from 'node-forge'
import { certificateFromDer, distinguishedName } from '../../domain/card/certificate-profile.js'
import { isDomainError } from '../../domain/errors.js'
import type { Pkcs11Backend } from '../../reader/pkcs11-backend.js'

export interface HipkiStandIn {
  url: string
  /** The token labels "inserted" (others are not shown); [] = a reader with no card; 'no-reader' = no reader at all. */
  insert(labels: string[] | 'no-reader'): void
  requests: string[]
  close(): Promise<void>
}

const POPUP_HTML = `<!doctype html><html lang="zh-TW"><head><meta charset="utf-8"><title>HiPKI stand-in (test double)</title></head>
<body><p>HiPKI LocalSignServer stand-in (test double)</p><script src="/popupForm.js"></script></body></html>`

const POPUP_JS = `(function () {
  var opener = window.opener
  if (!opener) return
  var used = false
  window.addEventListener('message', function (ev) {
    if (used || typeof ev.data !== 'string') return
    used = true
    var xhr = new XMLHttpRequest()
    xhr.open('POST', '/popupForm/bridge')
    xhr.setRequestHeader('content-type', 'application/x-www-form-urlencoded')
    xhr.onload = function () { opener.postMessage(xhr.responseText, ev.origin); window.close() }
    xhr.onerror = function () { opener.postMessage(JSON.stringify({ ret_code: 0x7600000d, last_error: 0 }), ev.origin); window.close() }
    xhr.send('tbsPackage=' + ev.data)
  })
  opener.postMessage(JSON.stringify({ func: 'getTbs' }), '*')
})()`

const usageOf = (cert: forge.pki.Certificate): string => {
  const ku = cert.getExtension('keyUsage') as Record<string, boolean> | null
  if (!ku) return 'digitalSignature'
  return ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'keyCertSign', 'cRLSign'].filter((k) => ku[k]).join('|')
}

export async function startHipkiStandIn(backend: Pkcs11Backend, opts: { port?: number } = {}): Promise<HipkiStandIn> {
  let inserted: string[] | 'no-reader' = []
  const requests: string[] = []

  const visible = async () => {
    if (inserted === 'no-reader') return undefined
    const labels = inserted
    return (await backend.tokens()).filter((t) => labels.includes(t.label))
  }

  const answer = async (pkg: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const tokens = await visible()
    if (!tokens) return { ret_code: 0x76100003, last_error: 0 }
    if (pkg.func === 'GetUserCert') {
      return {
        func: 'pkcs11info', ret_code: 0, last_error: 0,
        slots: tokens.map((t) => ({
          slotDescription: t.reader,
          token: {
            label: t.label, serialNumber: t.serial,
            certs: t.certificates.map((der) => {
              const c = certificateFromDer(der)
              return { certb64: der.toString('base64'), label: t.label, subjectDN: distinguishedName(c.subject.attributes), issuerDN: distinguishedName(c.issuer.attributes), usage: usageOf(c) }
            }),
          },
        })),
      }
    }
    if (pkg.func === 'MakeSignature') {
      if (typeof pkg.pin !== 'string' || !pkg.pin) return { func: 'sign', ret_code: 0x76000998, last_error: 0 }
      if (pkg.hashAlgorithm !== 'SHA256' || pkg.signatureType !== 'PKCS1' || typeof pkg.tbs !== 'string') return { func: 'sign', ret_code: 0x7600000c, last_error: 0 }
      const token = typeof pkg.slotDescription === 'string' ? tokens.find((t) => t.reader === pkg.slotDescription) : tokens[0]
      if (!token) return { func: 'sign', ret_code: 0x76000006, last_error: 0 }
      const tbs = pkg.tbsEncoding === 'base64' ? Buffer.from(pkg.tbs, 'base64') : Buffer.from(pkg.tbs, 'utf8')
      try {
        const r = await backend.signChallenge(tbs, pkg.pin, token.reader)
        return { func: 'sign', ret_code: 0, last_error: 0, signature: r.signature.toString('base64'), certb64: r.certificate.toString('base64'), cardSN: token.serial }
      } catch (e) {
        if (!isDomainError(e)) throw e
        if (e.code === 'PIN_LOCKED') return { func: 'sign', ret_code: 0x76100006, last_error: 0xa4 }
        if (e.code === 'PIN_WRONG') return { func: 'sign', ret_code: 0x76100006, last_error: e.details.remaining === 1 ? 0x80000001 : 0xa0 }
        if (e.code === 'CARD_ABSENT') return { func: 'sign', ret_code: 0x76000006, last_error: 0 }
        if (e.code === 'READER_ABSENT') return { func: 'sign', ret_code: 0x76100003, last_error: 0 }
        return { func: 'sign', ret_code: 0x7600000c, last_error: 0 }
      }
    }
    return { ret_code: 0x7600000e, last_error: 0 }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/popupForm') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(POPUP_HTML)
      return
    }
    if (req.method === 'GET' && path === '/popupForm.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(POPUP_JS)
      return
    }
    if (req.method === 'POST' && path === '/popupForm/bridge') {
      let body = ''
      for await (const c of req) {
        body += (c as Buffer).toString('latin1')
        if (body.length > 64 * 1024) throw new Error('too large')
      }
      const raw = new URLSearchParams(body).get('tbsPackage') ?? ''
      let pkg: Record<string, unknown>
      try {
        pkg = JSON.parse(raw) as Record<string, unknown>
      } catch {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ret_code: 0x7600000b, last_error: 0 }))
        return
      }
      requests.push(String(pkg.func))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await answer(pkg)))
      return
    }
    res.writeHead(404).end()
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String((e as Error).message))
    })
  })
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    insert(labels) {
      inserted = labels
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
