// `baobei serve --demo` on a machine without any card hardware: the reader agent runs in the same process with
// in-process virtual demo cards, the login page points at it, and 「示範讀卡機」 /dev/cards swaps the inserted cards.
// None of it exists without demo mode. An agent already on the agent port is used instead of a new one.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { createPreferenceService } from '../../commands/notify/preference-service.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../commands/platform/config.js'
import { startServer, type RunningServer } from '../../http/serve.js'
import { startReaderAgent } from '../../reader/agent.js'
import { siteOrigins } from '../../reader/embedded-agent.js'
import { openInProcessCards } from '../../reader/virtual/setup.js'
import { freshDatabase } from '../support/db.js'

const tdb = await freshDatabase('serve_demo')
t.teardown(() => tdb.drop())
const dir = await mkdtemp(join(tmpdir(), 'bb-serve-demo-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

const configOf = (demo: boolean, extra: Record<string, unknown> = {}) =>
  loadConfig({}, { DATABASE_URL: tdb.url, PORT: 0, HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'silent', DEMO: demo, ...extra })

const agentCall = async (agentUrl: string, origin: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${agentUrl}${path}`, { method, headers: { origin, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) })
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, any> | null }
}

/** The option value of a card on the /dev/cards page, found by its visible text. */
const optionFor = (html: string, text: string): string => {
  const m = new RegExp(`<option value="(\\d+)"[^>]*>[^<：]*：${text}`).exec(html)
  if (!m) throw new Error(`no option ${text} on the page`)
  return m[1]!
}

const post = (server: RunningServer, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/dev/cards`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  })

t.test('demo mode: the agent runs in-process with the demo cards, and /dev/cards drives it', async (t) => {
  const server = await startServer(configOf(true), { signals: false, demo: true, readerPort: 0 })
  t.teardown(() => server.close())
  const agentUrl = server.readerAgentUrl
  if (!agentUrl) throw new Error('no reader agent started')
  t.match(agentUrl, /^http:\/\/127\.0\.0\.1:\d+$/)

  // the agent answers the site (both loopback names), nobody else
  const port = new URL(server.url).port
  t.same((await agentCall(agentUrl, server.url, 'GET', '/health')).json, { ok: true, virtual: true })
  t.equal((await agentCall(agentUrl, `http://localhost:${port}`, 'GET', '/health')).status, 200)
  t.equal((await agentCall(agentUrl, 'http://evil.test', 'GET', '/health')).status, 403)

  // the login page calls this agent
  const login = await (await fetch(`${server.url}/login`)).text()
  t.match(login, `data-agent="${agentUrl}"`)

  // default cards: an NHI card and a professional card
  const nhi = await agentCall(agentUrl, server.url, 'GET', '/nhi-card')
  t.match(nhi.json, { name: '王大明', nationalId: 'A123456789', cardNumber: '000012345678' })

  const page = await fetch(`${server.url}/dev/cards`)
  t.equal(page.status, 200)
  const html = await page.text()
  t.match(html, '示範讀卡機')
  t.match(html, '<strong id="demo-pin">123456</strong>')
  for (const shown of ['醫事人員卡：王大明（A1234XXXX9）', '健保卡：王大明（A1234XXXX9）', '醫事機構卡：示範大學附設醫院（0163010001）', '衛生局人員卡：周文華（TPE-R001）', '衛生局人員卡：蔡明哲（MOHW-S001）']) t.match(html, shown)
  t.notMatch(html, /[A-Z][12]\d{8}/, 'no full national ID anywhere in the page')

  // put the reviewer's staff card into reader 2, take the NHI card out of reader 1
  const staff = optionFor(html, '周文華')
  const r1 = await post(server, { action: 'insert', slot: '1', card: staff }, { origin: server.url })
  t.equal(r1.status, 303)
  t.equal(r1.headers.get('location'), '/dev/cards?changed=1')
  const readers = await agentCall(agentUrl, server.url, 'GET', '/readers')
  t.match(readers.json?.readers[1], { cardPresent: true, cardType: 'hca', cardKind: 'staff', kind: 'staff', holderHint: '周○華' })
  t.equal((await post(server, { action: 'remove', slot: '0' })).status, 303)
  t.equal((await agentCall(agentUrl, server.url, 'GET', '/nhi-card')).json?.error.code, 'CARD_ABSENT')
  t.match(await (await fetch(`${server.url}/dev/cards`)).text(), /<tr id="slot-0">[\s\S]*?（空）/)

  // refusals: another site's form, an unknown card, a slot that does not exist
  t.equal((await post(server, { action: 'insert', slot: '0', card: staff }, { origin: 'http://evil.test' })).status, 403)
  t.equal((await post(server, { action: 'insert', slot: '0', card: '999' })).headers.get('location'), '/dev/cards?error=failed')
  t.equal((await post(server, { action: 'insert', slot: '7', card: staff })).headers.get('location'), '/dev/cards?error=failed')
  t.match(await (await fetch(`${server.url}/dev/cards?error=failed`)).text(), '無法更換卡片')

  // the decision notifier runs with the embedded outboxes; its e-mail outbox is /dev/mail (loopback: allowed here)
  const status = (await (await fetch(`${server.url}/status`, { headers: { accept: 'application/json' } })).json()) as { notifier: Record<string, unknown> }
  t.match(status.notifier, { enabled: true, channels: { email: 'embedded', sms: 'embedded' }, ok: true })
  t.equal(server.notifier.enabled, true)
  const mail = await fetch(`${server.url}/dev/mail`)
  t.equal(mail.status, 200)
  t.match(await mail.text(), '電子郵件外寄匣（示範模式）')
  t.match(await (await fetch(`${server.url}/status`, { headers: { accept: 'text/html' } })).text(), '審查結果通知（電子郵件／簡訊）')

  // and it really runs inside serve: an opted-in professional's returned case reaches /dev/mail by itself
  const pro = { role: 'professional' as const, id: 'A123456789', name: '王大明', via: 'hca-professional-card' as const, institutionCode: '0163010001' }
  await createPreferenceService({ store: server.app.services.store }).set({ recipient: { kind: 'professional', id: pro.id }, channel: 'email', email: 'wang@example.com.tw' }, { commandId: randomUUID(), actor: pro })
  const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10)
  const filed = await server.app.services.reports.file({ applicantId: pro.id, terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: day(300), to: day(320), weekdays: [6], windows: [{ start: '19:00', end: '21:00' }] } } }, { commandId: randomUUID(), actor: pro })
  const number = filed.state.exists ? filed.state.caseNumber! : ''
  await server.app.services.reports.return(filed.caseId, { reason: '請附支援同意書', fieldsToFix: ['schedule'] }, { commandId: randomUUID(), actor: { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' } })
  let outbox = ''
  for (let i = 0; i < 60 && !outbox.includes(number); i++) {
    await new Promise((r) => setTimeout(r, 250))
    outbox = await (await fetch(`${server.url}/dev/mail`)).text()
  }
  t.match(outbox, `【報備支援】案件 ${number} 登錄申請退回補正`, 'the notifier inside serve sent it to the demo outbox')
  t.match(outbox, '審查意見：請附支援同意書')
})

t.test('without demo mode: no agent, no /dev/cards', async (t) => {
  const server = await startServer(configOf(false), { signals: false, readerPort: 0 })
  t.teardown(() => server.close())
  t.equal(server.readerAgentUrl, undefined)
  t.equal((await fetch(`${server.url}/dev/cards`)).status, 404)
  t.equal((await fetch(`${server.url}/dev/mail`)).status, 404)
  const status = (await (await fetch(`${server.url}/status`, { headers: { accept: 'application/json' } })).json()) as { notifier: Record<string, unknown> }
  t.match(status.notifier, { enabled: false, disabledReason: /no e-mail or SMS channel is configured/, channels: { email: 'off', sms: 'off' } }, 'nothing configured: no notices')
  t.equal((await fetch(`${server.url}/dev/cards`, { method: 'POST', body: 'action=remove&slot=0', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 404)
})

t.test('demo mode with an agent already on the agent port: that agent is used, through /dev/cards too', async (t) => {
  let site: string[] = []
  const cards = openInProcessCards(join(dir, 'pki'))
  const external = await startReaderAgent({ backend: cards.backend, origin: () => site, port: 0, rack: cards.rack })
  t.teardown(async () => {
    await external.close()
    await cards.close()
  })
  const server = await startServer(configOf(true), { signals: false, demo: true, readerPort: external.port })
  t.teardown(() => server.close())
  site = siteOrigins(server.url)
  t.equal(server.readerAgentUrl, undefined, 'no second agent')
  const html = await (await fetch(`${server.url}/dev/cards`)).text()
  t.match(html, '<table id="slots">')
  const r = await post(server, { action: 'insert', slot: '2', card: optionFor(html, '仁愛家醫診所') })
  t.equal(r.headers.get('location'), '/dev/cards?changed=2')
  t.same(cards.rack.slots()[2], { slot: 2, card: 'institution-3563020002' }, 'the card went into the running agent')
})

t.test('demo mode with --no-reader and no agent: the page says the agent cannot be reached', async (t) => {
  const server = await startServer(configOf(true, { READER_AGENT_URL: 'http://127.0.0.1:9' }), { signals: false, demo: true, reader: false })
  t.teardown(() => server.close())
  t.equal(server.readerAgentUrl, undefined)
  const page = await fetch(`${server.url}/dev/cards`)
  t.equal(page.status, 200)
  t.match(await page.text(), '無法連線到讀卡程式（http://127.0.0.1:9）')
})
