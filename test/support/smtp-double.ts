// TEST DOUBLE of a mail server: a real SMTP server (the smtp-server library) on 127.0.0.1 that keeps every message it
// accepts (envelope, Message-ID, subject, text) so a test can read what the notifier sent over SMTP. It can be told
// to refuse the next N messages (a failing gateway). Tests only; never part of `serve`.
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'

export interface ReceivedMail {
  from: string
  to: string[]
  messageId: string
  subject: string
  /** The body, decoded (quoted-printable or base64, UTF-8). */
  text: string
  raw: string
}

export interface SmtpDouble {
  url: string
  received: ReceivedMail[]
  /** Refuse (451) the next n messages. */
  failNext(n: number): void
  close(): Promise<void>
}

function decodeBody(headers: string, body: string): string {
  const enc = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase()
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    return Buffer.from(bytes, 'latin1').toString('utf8')
  }
  return body
}

function decodeHeader(v: string): string {
  return v.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, kind: string, s: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(s, 'base64').toString('utf8') : Buffer.from(s.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'))
}

export async function startSmtpDouble(): Promise<SmtpDouble> {
  const received: ReceivedMail[] = []
  let failing = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if (failing > 0) {
          failing--
          const err = new Error('try again later') as Error & { responseCode: number }
          err.responseCode = 451
          return callback(err)
        }
        const raw = Buffer.concat(chunks).toString('utf8')
        const split = raw.indexOf('\r\n\r\n')
        const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? ''
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          messageId: header('Message-ID'),
          subject: decodeHeader(header('Subject')),
          text: decodeBody(head, raw.slice(split + 4)),
          raw,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    failNext(n) { failing = n },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
