// Reviewer case pages: query (every filter, paginated, sortable, Excel), one case (terms, attachments, findings
// then and now, full history, time travel), decisions singly and in batch, and 套印 (approval form PDF).
import { randomUUID } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { County } from '../../domain/reference/counties.js'
import { FIRST_NAMES, FIRST_REFERENCE, referenceNamer, type ReferenceLists, type ReferenceNames } from '../../domain/reference/lists.js'
import { DomainError, isDomainError, type ErrorArg } from '../../domain/errors.js'
import { maskPersonId } from '../../domain/national-id.js'
import { addDays, isoToRoc, taipeiDate, WEEKDAY_NAMES } from '../../domain/roc-date.js'
import { APPLICATION_TYPE_LABEL, STATUS_LABEL, type Actor, type FilingFindings } from '../../domain/types.js'
import { RETURNABLE_FIELD_LABEL, RETURNABLE_FIELDS } from '../../domain/report/returnable-fields.js'
import { isAllowed, type GateState } from '../../domain/report/allowed.js'
import { gateStates } from '../../projections/queries/case-states.js'
import { casePages, searchCases, type CaseRow } from '../../projections/queries/cases.js'
import { approvalFormEntry, approvalFormFileName, renderApprovalForms } from '../pdf/approval-form.js'
import { isHtmx } from '../errors.js'
import { flashFor, redirectWithErrors, redirectWithNotice, redirectWithResult } from '../form-flash.js'
import type { RawForm } from '../forms/form-values.js'
import { hhmm, rocDate, rocInstant, weekdayZh } from '../present.js'
import type { App } from '../schemas.js'
import { CaseQueryString, PAGE_SIZES, parseCaseQuery, queryFromString, toQueryString } from './case-query.js'
import { loadCaseFile, type CaseFile } from './case-file.js'
import { nameChanges } from '../../projections/terms-diff.js'
import { caseRegistryLines } from './registry-flags-routes.js'
import { actorOf, asList, audit, BASE, boPage, readModelsOf, reportsOf, reviewerOnly, rocInstantInput, scopeFor, staffOnly, storeOf } from './context.js'
import { actorNames, showActor } from './actor-label.js'
import { findingsNow } from './findings-now.js'
import { summarizeQuota } from './quota-summary.js'
import { assertReadable, decisionsAllowed, isCopiedOnly, mayDecide, type Decision } from './staff.js'
import { attachmentHeader, xlsxStream, type Table } from '../tabular.js'
import { dateExamples, DateInputField, readDateField } from '../forms/date-field.js'

const CaseParams = Type.Object({ caseId: Type.String({ maxLength: 36 }) })
const CaseViewQuery = Type.Object({
  asOfDate: Type.Optional(DateInputField),
  asOfTime: Type.Optional(Type.String({ maxLength: 4 })),
  done: Type.Optional(Type.String({ maxLength: 20 })),
  /** A refused decision's values and errors (http/form-flash.ts). */
  form: Type.Optional(Type.String({ maxLength: 40 })),
})
const AttachmentParams = Type.Object({ caseId: Type.String({ maxLength: 36 }), hash: Type.String({ pattern: '^[0-9a-f]{64}$' }) })
const StrOrList = Type.Union([Type.String({ maxLength: 500 }), Type.Array(Type.String({ maxLength: 500 }), { maxItems: 200 })])
export const DecisionBody = Type.Object({
  _csrf: Type.Optional(Type.String()),
  /** Optional in the schema so that a form sent without a choice is answered at the field (no outcome is preselected). */
  decision: Type.Optional(Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('return'), Type.Literal('')])),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  note: Type.Optional(Type.String({ maxLength: 200 })),
  fieldsToFix: Type.Optional(StrOrList),
  commandId: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }),
  /** Stream version the reviewer saw: a decision over a stale page is refused (CONCURRENCY_CONFLICT). */
  version: Type.Optional(Type.String({ pattern: '^\\d{1,9}$' })),
  caseId: Type.Optional(StrOrList),
  /** The query string of the results page the batch was chosen from: the results are re-run with it. */
  returnTo: Type.Optional(Type.String({ maxLength: 2000 })),
})
export type DecisionBody = Static<typeof DecisionBody>
/** 套印 of the ticked cases: a POST of the results form (the ids do not travel in a URL, and CSRF applies). */
const PrintBody = Type.Object({ _csrf: Type.Optional(Type.String()), caseId: Type.Optional(Type.Union([Type.String({ maxLength: 36 }), Type.Array(Type.String({ maxLength: 36 }), { maxItems: 200 })])) })

/** Fields a reviewer can ask the filer to fix (退回補正): the domain's list. */
export const FIXABLE_FIELDS: readonly { code: string; label: string }[] = RETURNABLE_FIELDS.map((code) => ({ code, label: RETURNABLE_FIELD_LABEL[code] }))

/** Refusals of a decision that belong to one field of the decision form. */
const DECISION_FIELD: Record<string, string> = { REASON_REQUIRED: 'reason', FIELDS_TO_FIX_REQUIRED: 'fieldsToFix' }

const DECISION_LABEL = { approve: '核准', reject: '不核准', return: '退回補正' } as const

/** The issuing bureau of `county` on the counties in force (their first version when not given). */
export const bureauName = (county: string, counties: readonly County[] = FIRST_REFERENCE.counties) =>
  counties.find((c) => c.code === county)?.bureau ?? `${county} 衛生局`

const weekdayList = (mask: string) =>
  [...mask].map((b, i) => (b === '1' ? WEEKDAY_NAMES[(i + 1) as 1 | 2 | 3 | 4 | 5 | 6 | 7].slice(2) : '')).filter(Boolean).join('、')

/** The case file with its history's codes (科別, 目的, 縣市) named with the lists in force (terms-diff.ts). */
const namedHistory = (file: CaseFile, names: ReferenceNames): CaseFile => ({ ...file, history: file.history.map((e) => ({ ...e, diff: nameChanges(e.diff, names) })) })

/** The result table as downloaded: masked IDs, ROC dates, labels. */
/** `names`: the reference lists in force (their first version when not given). */
export function casesTable(rows: readonly CaseRow[], names: ReferenceNames = FIRST_NAMES): Table {
  return {
    title: '報備支援案件查詢結果',
    header: ['案件編號', '申請類別', '申請進度', '姓名', '身分證號', '醫事人員類別', '執業機構代碼', '執業機構', '被支援機構代碼', '被支援機構', '縣市', '區', '支援起日', '支援迄日', '星期', '時段', '送審日期', '核准日期', '核准文號'],
    rows: rows.map((r) => [
      r.caseNumber, APPLICATION_TYPE_LABEL[r.applicationType], STATUS_LABEL[r.status], r.applicantName, maskPersonId(r.nationalId),
      names.profession(r.profession) ?? r.profession, r.homeCode, r.homeName, r.supportedCode, r.supportedName,
      names.county(r.supportedCounty) ?? r.supportedCounty, r.supportedDistrict,
      r.scheduleFrom ? rocDate(r.scheduleFrom) : null, r.scheduleTo ? rocDate(r.scheduleTo) : null, weekdayList(r.weekdayMask),
      r.earliestStart && r.latestEnd ? `${hhmm(r.earliestStart)}-${hhmm(r.latestEnd)}` : null,
      r.submittedAt ? rocInstant(r.submittedAt) : null, r.approvedAt ? rocInstant(r.approvedAt) : null, r.approvalNumber,
    ]),
  }
}

/** The query form's lists; professions and counties: the reference lists in force now (versioned data). */
const formModel = (now: Date, reference: Pick<ReferenceLists, 'counties' | 'professions'> = FIRST_REFERENCE) => ({
  // date placeholders in the current year: today and four weeks on
  phFrom: isoToRoc(taipeiDate(now.toISOString())), phTo: isoToRoc(addDays(taipeiDate(now.toISOString()), 28)), ex: dateExamples(now),
  professions: reference.professions,
  counties: reference.counties,
  statuses: Object.entries(STATUS_LABEL),
  applicationTypes: Object.entries(APPLICATION_TYPE_LABEL),
  weekdays: ([1, 2, 3, 4, 5, 6, 7] as const).map((d) => [String(d), WEEKDAY_NAMES[d]]),
  pageSizes: PAGE_SIZES,
  fixable: FIXABLE_FIELDS,
})

export interface DecisionOutcome {
  caseId: string
  caseNumber: string | null
  ok: boolean
  /** ok 成功; taken 已被他人處理 (decided meanwhile: nothing left to decide, or a newer version); failed 失敗：原因 */
  kind: 'ok' | 'taken' | 'failed'
  /** What the reviewer reads per case: 成功 / 已被他人處理（林志明），目前：已核准 / 失敗：原因 */
  label: string
  /** The same in a word, for the results row: 成功 / 已被他人處理 / 已處理過 / 失敗 */
  short: string
  code?: string
  /** The refusal's message arguments (see domain/errors.ts). */
  args?: readonly ErrorArg[]
  message: string
}

/** Two sets of findings that read the same on the page (conflicting cases and occurrences, quota summary lines). */
function sameFindings(a: FilingFindings | undefined, b: FilingFindings | undefined): boolean {
  if (!a || !b) return false
  const key = (f: FilingFindings) => JSON.stringify({
    conflicts: f.conflicts.map((c) => `${c.caseId}|${c.occurrence.date}|${c.occurrence.start}|${c.occurrence.end}|${c.status}`).sort(),
    quota: summarizeQuota(f.quota).rules.map((r) => [r.ruleId, r.state, r.text, r.periods]),
  })
  return key(a) === key(b)
}

const DECIDED_BY_SOMEONE = new Set(['NOTHING_TO_DECIDE', 'CONCURRENCY_CONFLICT'])
const DECISION_EVENTS = new Set(['ReportApproved', 'ReportRejected', 'ReportReturned', 'ChangeApproved', 'ChangeRejected', 'ChangeReturned', 'CancellationApproved', 'CancellationRejected'])

/** Decides one case for the acting reviewer: scope, copied-only, stale page, then the service (the decider judges the rest). */
async function decideOne(app: App, request: FastifyRequest, caseId: string, body: DecisionBody & { decision: Decision }, commandId: string, expectedVersion?: number): Promise<DecisionOutcome> {
  const actor = actorOf(request)
  let caseNumber: string | null = null
  try {
    const file = await loadCaseFile(storeOf(app), caseId)
    const view = assertReadable(actor, file?.view)
    caseNumber = view.caseNumber
    if (isCopiedOnly(actor, view)) throw new DomainError('COPIED_CASE_READ_ONLY', { caseId })
    const reason = (body.reason ?? '').trim()
    // what a rejection and a return must say (a reason; the fields to fix) is the decider's rule
    const fields = asList(body.fieldsToFix)
    const reports = reportsOf(app)
    const meta = { commandId, actor, correlationId: String(request.id) }
    // the same command again (double click, retry) is answered by the service idempotently, with its first result
    const retry = !!file && file.events.some((e) => e.meta.commandId === commandId)
    if (!retry) {
      // a page showing an older version of the case must not decide over what it did not show
      if (expectedVersion !== undefined && file && file.version !== expectedVersion) {
        throw new DomainError('CONCURRENCY_CONFLICT', { caseId, expected: expectedVersion, actual: file.version })
      }
      if (!mayDecide(actor, view)) throw new DomainError('NOTHING_TO_DECIDE', { caseId })
    }
    let out
    if (body.decision === 'approve') out = await reports.approve(caseId, body.note?.trim() ? { note: body.note.trim() } : {}, meta)
    else if (body.decision === 'reject') out = await reports.reject(caseId, { reason }, meta)
    else out = await reports.return(caseId, { reason, fieldsToFix: fields }, meta)
    // read-your-writes: the query page shows the decision when the reviewer gets back to it
    await app.services.waitFor?.(out.position)
    return { caseId, caseNumber, ok: true, kind: 'ok', label: '成功', short: '成功', message: `${DECISION_LABEL[body.decision]}完成${out.duplicate ? '（重複送出，未重複處理）' : ''}` }
  } catch (e) {
    if (!isDomainError(e)) throw e
    // decided by someone in the meantime: say who decided and where the case stands now
    const now = DECIDED_BY_SOMEONE.has(e.code) ? await loadCaseFile(storeOf(app), caseId) : undefined
    const last = now?.events.filter((x) => DECISION_EVENTS.has(x.type)).at(-1)
    if (now && last && now.view.status !== 'under_review') {
      const mine = last.meta.actor.id === actor.id
      const by = mine ? '已處理過' : `已被他人處理（${last.meta.actor.name ?? last.meta.actor.id}）`
      return { caseId, caseNumber, ok: false, kind: 'taken', label: `${by}，目前：${STATUS_LABEL[now.view.status]}`, short: mine ? '已處理過' : '已被他人處理', code: e.code, args: e.args, message: e.message }
    }
    return { caseId, caseNumber, ok: false, kind: 'failed', label: `失敗：${e.message}`, short: '失敗', code: e.code, args: e.args, message: e.message }
  }
}

/**
 * 報備支援案件查詢 counts its matches up to this many (共超過 1,000 件 past it: narrow the query; 下一頁 still pages on).
 * A bounded count costs the same at any size (~8 ms: the first matches of a scan); a county's exact count at 1m
 * events read its ~42k cases on every page (EXPLAIN: 10,000 → 23 ms, 1,000 → 8 ms).
 */
export const QUERY_COUNT_UP_TO = 1_000

export async function registerCaseRoutes(app: App) {
  const referenceNow = () => app.services.rules.referenceAt(app.services.clock().toISOString())
  /** The query page's model (form + one page of results) for a query as typed. */
  const resultsModel = async (request: FastifyRequest, q: CaseQueryString) => {
    const reference = await referenceNow()
    const parsed = parseCaseQuery(q, reference, dateExamples(app.services.clock()))
    const scope = scopeFor(request)
    const result = parsed.errors.length ? { rows: [], total: 0, page: 1, pageSize: parsed.page.pageSize ?? 20 } : await searchCases(readModelsOf(app), scope, parsed.filter, { ...parsed.page, countUpTo: QUERY_COUNT_UP_TO })
    const actor = actorOf(request)
    // which rows this reviewer may decide: the domain's answer for each listed case
    const states = actor.role === 'reviewer' && result.rows.length ? await gateStates(readModelsOf(app), result.rows.map((r) => r.caseId)) : new Map<string, GateState>()
    return {
      title: '報備支援案件查詢',
      q, parsed, result, errors: Object.fromEntries(parsed.errors.map((e) => [e.field, e.message])), understood: parsed.understood,
      qs: (replace: Record<string, string | undefined>) => toQueryString(q, replace),
      canDecide: actor.role === 'reviewer',
      myCounty: actor.county,
      mayDecideRow: (r: CaseRow) => {
        const state = states.get(r.caseId)
        return state !== undefined && isAllowed('ApproveReport', state, actor)
      },
      commandId: randomUUID(),
      labels: { status: STATUS_LABEL, type: APPLICATION_TYPE_LABEL, profession: referenceNamer(reference).profession, county: (c: string) => referenceNamer(reference).county(c) ?? c },
      weekdayList,
      ...formModel(app.services.clock(), reference),
    }
  }

  // ---- query ----
  app.get(`${BASE}/cases`, { onRequest: staffOnly, schema: { querystring: CaseQueryString } }, async (request, reply) => {
    const model = await resultsModel(request, request.query)
    if (isHtmx(request) && request.headers['hx-target'] === 'results') {
      return reply.type('text/html; charset=utf-8').viewAsync('back-office/partials/case-results.eta', { ...model, csrf: request.session?.csrf, oob: true })
    }
    return boPage(request, reply, 'back-office/cases.eta', model)
  })

  app.get(`${BASE}/cases.xlsx`, { onRequest: staffOnly, schema: { querystring: CaseQueryString } }, async (request, reply) => {
    const parsed = parseCaseQuery(request.query, await referenceNow(), dateExamples(app.services.clock()))
    if (parsed.errors.length) throw new DomainError('VALIDATION_FAILED', { fields: parsed.errors })
    const names = referenceNamer(await referenceNow())
    const rm = readModelsOf(app)
    const scope = scopeFor(request)
    // up to 20,000 rows in pages of 500, each written out as it is read, each continuing after the one before
    async function* pages() {
      for await (const rows of casePages(rm, scope, parsed.filter, parsed.page, { pageSize: 500, maxRows: 20_000 })) yield casesTable(rows, names).rows
    }
    const { title, header } = casesTable([], names)
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', attachmentHeader('報備支援案件查詢結果.xlsx', 'cases.xlsx'))
      .send(xlsxStream([{ title, header, pages: pages() }]))
  })

  // ---- one case ----
  app.get(`${BASE}/cases/:caseId`, { onRequest: staffOnly, schema: { params: CaseParams, querystring: CaseViewQuery } }, async (request, reply) =>
    casePage(request, reply, request.params.caseId, request.query))

  /** The case page; with a refused decision, the form again with the reviewer's input and each error at its field. */
  const casePage = async (request: FastifyRequest, reply: FastifyReply, caseId: string, query: Static<typeof CaseViewQuery>, refused?: { errors: Record<string, string>; values: DecisionBody }) => {
    // a refused (or kept) decision comes back by 303 with what the reviewer typed (POST-redirect-GET)
    const flash = refused ? undefined : flashFor(request, `${BASE}/cases/${caseId}`)
    const decisionForm = refused ?? (flash ? { errors: flash.errors ?? {}, values: flash.fields as unknown as DecisionBody } : undefined)
    const actor = actorOf(request)
    const store = storeOf(app)
    const current = await loadCaseFile(store, caseId)
    const view = assertReadable(actor, current?.view)
    const file = current as CaseFile
    // the date as typed (1130301, 113/03/01, 2024/03/01), read by the one rule; a bad one is said at its field
    const asOfField = readDateField(query.asOfDate, '日期', dateExamples(app.services.clock()))
    const asOf = asOfField.iso ? rocInstantInput(asOfField.iso, query.asOfTime) : undefined
    const past = asOf ? await loadCaseFile(store, caseId, asOf) : undefined
    await audit(app, request, 'GET /review/cases/:caseId', [{ kind: 'case', id: caseId }, { kind: 'person', id: view.applicant.nationalId }])
    const rm = app.services.readModels
    const now = rm && view.pending ? await findingsNow(store, rm, view, app.services.clock().toISOString(), app.services.db, (await app.services.rules?.inForceAt(app.services.clock().toISOString()))?.quota) : undefined
    const names = await actorNames(app.services.db, file.history.map((e) => e.actor), [
      { role: 'professional', id: view.applicant.nationalId, name: view.applicant.name },
      { role: 'institution', id: view.applicant.home.code, name: view.applicant.home.name },
    ])
    const who = (a: Actor) => showActor(a, names)
    const registry = await caseRegistryLines(app, view)
    // names of the codes from the reference lists in force (an administrator's new 支援科別 has its name)
    const caseNames = referenceNamer(await referenceNow())
    return boPage(request, reply, 'back-office/case.eta', {
      registry,
      who,
      summarizeQuota,
      title: `案件 ${view.caseNumber ?? '（未送審）'}`,
      file: namedHistory(file, caseNames), view, terms: view.facts.currentTerms, routing: view.facts.decisionRouting, approvedTerms: view.approved?.terms,
      past: past && namedHistory(past, caseNames), asOf, asOfField, asOfDate: query.asOfDate ?? '', asOfTime: query.asOfTime ?? '',
      findingsNow: now,
      // the re-check found exactly what the latest filing recorded: say so instead of repeating it
      findingsNowSame: sameFindings(now, file.filings.at(-1)?.findings),
      canDecide: mayDecide(actor, view),
      decisions: decisionsAllowed(actor, view),
      copiedOnly: isCopiedOnly(actor, view),
      commandId: randomUUID(),
      done: query.done,
      names: { ...caseNames, county: (c: string) => caseNames.county(c) ?? c, weekday: weekdayZh },
      ...formModel(app.services.clock()),
      ...(decisionForm ? { decisionErrors: decisionForm.errors, decisionValues: { ...decisionForm.values, fieldsToFix: asList(decisionForm.values.fieldsToFix) } } : {}),
    })
  }

  app.get(`${BASE}/cases/:caseId/attachments/:hash`, { onRequest: staffOnly, schema: { params: AttachmentParams } }, async (request, reply) => {
    const { caseId, hash } = request.params
    const file = await loadCaseFile(storeOf(app), caseId)
    const view = assertReadable(actorOf(request), file?.view)
    const att = view.attachments.find((a) => a.hash === hash)
    if (!att) throw new DomainError('ATTACHMENT_NOT_FOUND')
    const blobs = app.services.blobs
    const content = blobs ? await blobs.get(hash) : undefined
    if (!content) throw new DomainError('ATTACHMENT_NOT_FOUND')
    await audit(app, request, 'GET /review/cases/:caseId/attachments/:hash', [{ kind: 'case', id: caseId }])
    return reply
      .type(att.type)
      .header('content-disposition', `inline; filename="attachment"; filename*=UTF-8''${encodeURIComponent(att.name)}`)
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(content)
  })

  // ---- decisions ----
  const decisionPage = (postPath: string) => postPath.replace(/\/decision$/, '')
  app.post(`${BASE}/cases/:caseId/decision`, { onRequest: reviewerOnly, schema: { params: CaseParams, body: DecisionBody }, config: { keepForm: decisionPage, refusedTo: decisionPage } }, async (request, reply) => {
    const { caseId } = request.params
    const body = request.body
    // a page form: 303 back to the case page with the values and errors; htmx keeps its swap of the page
    const again = (errors: Record<string, string>) => isHtmx(request)
      ? casePage(request, reply.code(422), caseId, {}, { errors, values: body })
      : redirectWithErrors(request, reply, `${BASE}/cases/${caseId}`, body as unknown as RawForm, errors)
    if (!body.decision) return again({ decision: '請選擇審核結果：核准、不核准或退回補正' })
    const r = await decideOne(app, request, caseId, { ...body, decision: body.decision }, body.commandId, body.version ? Number(body.version) : undefined)
    // what the reviewer must add (a reason, the fields to fix) is shown at its field, with what they typed
    if (!r.ok && r.code && DECISION_FIELD[r.code]) return again({ [DECISION_FIELD[r.code]!]: r.message })
    if (!r.ok) {
      const refused = new DomainError((r.code ?? 'INTERNAL') as never, { caseId }, r.args ?? [])
      // decided meanwhile (says by whom), a stale page, …: 303 back to the case page saying so; a case not found or
      // not this reviewer's stays an error page, and htmx its swap
      if (isHtmx(request) || [401, 403, 404].includes(refused.status) || refused.status >= 500) throw refused
      return redirectWithNotice(request, reply, `${BASE}/cases/${caseId}`, r.kind === 'taken' ? `${r.message}（${r.label}）` : r.message || refused.message)
    }
    if (isHtmx(request)) {
      reply.header('HX-Redirect', `${BASE}/cases/${caseId}?done=${body.decision}`)
      return reply.type('text/html; charset=utf-8').send('')
    }
    return reply.redirect(`${BASE}/cases/${caseId}?done=${body.decision}`, 303)
  })

  // refused as a whole (nothing selected, no decision chosen): 303 to 案件查詢 with the message as a notice; decided:
  // 303 to 批次審核結果 (htmx: the results list re-run in place)
  const DECISIONS_RESULT = `${BASE}/decisions/result`
  type BatchResult = { decision: string; outcomes: DecisionOutcome[]; ok: number; returnTo: string }
  app.post(`${BASE}/decisions`, { onRequest: reviewerOnly, schema: { body: DecisionBody }, config: { refusedTo: `${BASE}/cases` } }, async (request, reply) => {
    const body = request.body
    const ids = [...new Set(asList(body.caseId))]
    if (ids.length === 0) throw new DomainError('NOTHING_SELECTED')
    const decision = body.decision
    if (!decision) throw new DomainError('DECISION_REQUIRED')
    const outcomes: DecisionOutcome[] = []
    for (const id of ids) outcomes.push(await decideOne(app, request, id, { ...body, decision }, `${body.commandId}:${id}`))
    const returnTo = toQueryString(queryFromString(body.returnTo))
    const batch = { decision: DECISION_LABEL[decision], outcomes, ok: outcomes.filter((o) => o.ok).length, returnTo }
    if (isHtmx(request)) {
      // the results the reviewer was looking at, re-run after the decisions, each decided row marked with its outcome
      const model = await resultsModel(request, queryFromString(body.returnTo))
      return reply.type('text/html; charset=utf-8').viewAsync('back-office/partials/case-results.eta', {
        ...model, csrf: request.session?.csrf, batch, outcomeOf: new Map(outcomes.map((o) => [o.caseId, o])),
      })
    }
    // the outcomes are a page of their own, reached by 303 (POST-redirect-GET): a reload shows them again
    return redirectWithResult(request, reply, DECISIONS_RESULT, batch)
  })
  app.get(DECISIONS_RESULT, { onRequest: reviewerOnly }, async (request, reply) => {
    const batch = flashFor(request, DECISIONS_RESULT)?.result as BatchResult | undefined
    // an old or another session's address: the outcomes are gone (the cases' pages keep the decisions)
    if (!batch) return redirectWithNotice(request, reply, `${BASE}/cases`, '批次審核結果已不在此頁（請由案件查詢查看各案件的審核結果）')
    return boPage(request, reply, 'back-office/batch-result.eta', { title: '批次審核結果', ...batch })
  })

  // ---- 套印 ----
  const printCases = async (request: FastifyRequest, reply: FastifyReply, ids: string[]) => {
    const actor: Actor = actorOf(request)
    if (ids.length === 0) throw new DomainError('NOTHING_SELECTED')
    const entries = []
    const reference = await referenceNow()
    for (const id of ids) {
      const file = await loadCaseFile(storeOf(app), id)
      const view = assertReadable(actor, file?.view)
      entries.push(approvalFormEntry(view, bureauName(view.facts.listedRouting.reviewCounty, reference.counties)))
    }
    await audit(app, request, request.method === 'POST' ? 'POST /review/print' : 'GET /review/cases/:caseId/approval.pdf', ids.map((id) => ({ kind: 'case' as const, id })))
    const printedAt = app.services.clock().toISOString()
    const pdf = await renderApprovalForms(entries, { printedAt, printedBy: actor.name ?? actor.id, names: referenceNamer(reference) })
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${approvalFormFileName(entries, printedAt)}"`)
      .send(pdf)
  }
  app.get(`${BASE}/cases/:caseId/approval.pdf`, { onRequest: staffOnly, schema: { params: CaseParams } }, async (request, reply) =>
    printCases(request, reply, [request.params.caseId]))
  // answers the PDF (a download: the page stays, Back is not affected); nothing selected: 303 to 案件查詢 saying so
  app.post(`${BASE}/print`, { onRequest: staffOnly, schema: { body: PrintBody }, config: { refusedTo: `${BASE}/cases` } }, async (request, reply) =>
    printCases(request, reply, [...new Set(asList(request.body.caseId))]))
}
