import type { App } from '../schemas.js'
// htmx helpers of the report form: institution search, live checks of the applicant's ID and the schedule.
import { findProfessional, searchInstitutions } from '../../commands/registry/registry.js'
import { validatePersonId } from '../../domain/national-id.js'
import { FormBody, InstitutionSearchQuery } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { str } from '../forms/form-values.js'
import { checkReportForm, readReportForm } from '../forms/report-form.js'
import { fieldOfError } from '../forms/error-fields.js'
import { explain } from '../errors.js'
import { errorMessage, isDomainError } from '../../domain/errors.js'
import { idLookupLimit } from '../id-lookup-limit.js'
import { conflictingCaseNames } from '../../domain/rules/conflict.js'
import { describeQuotaFinding } from '../../domain/rules/quota.js'
import { getCase } from '../../projections/queries/cases.js'
import { isRocDate, rocToIso } from '../../domain/roc-date.js'
import { understoodText } from '../forms/date-field.js'
import { scopeOf } from '../scope.js'

export async function registerLookupRoutes(app: App) {
  const guard = requireRole('professional', 'institution')

  app.get('/lookup/institutions', { onRequest: guard, schema: { querystring: InstitutionSearchQuery } }, async (request, reply) => {
    const q = (request.query as InstitutionSearchQuery).q ?? ''
    const rows = q.trim().length >= 2 ? await searchInstitutions(app.services.db, q, 15) : []
    return reply.type('text/html; charset=utf-8').viewAsync('partials/institution-results.eta', { rows, q })
  })

  const limited = idLookupLimit(app.services)
  app.post('/reports/check/applicant', { onRequest: requireRole('institution'), preHandler: limited, schema: { body: FormBody } }, async (request, reply) => {
    const id = str(request.body as FormBody, 'applicantId').toUpperCase()
    const user = userOf(request)
    let message = ''
    let ok = false
    if (id.length > 0) {
      const r = validatePersonId(id)
      if (!r.ok) message = r.reason === 'checksum' ? '身分證號檢查碼錯誤' : '身分證號格式不正確（例：A123456789）'
      else {
        const p = await findProfessional(app.services.db, r.id)
        // an ID outside the institution's staff, registered elsewhere or not at all: the same answer
        if (!p || p.homeInstitutionCode !== user.actor.institutionCode) message = '此醫事人員不是本機構人員，機構只能為本機構的醫事人員申請'
        else if (p.practiceStatus !== 'active') message = '此醫事人員目前為停業狀態，不可申請報備支援'
        else {
          ok = true
          message = `${p.name}（本機構人員）`
        }
      }
    }
    return reply.type('text/html; charset=utf-8').viewAsync('partials/check-line.eta', { ok, message })
  })

  // Live checks while the form is being filled: formats, then the rules (license, past dates, conflicts with the
  // clashing case named, quota with numbers). Every problem is shown in zh-TW next to its field (htmx out-of-band
  // swaps into the form's live slots) and summed up in the checks area; nothing is swallowed — a refusal the preview
  // raises is shown with its message, and an unavailable service says so.
  app.post('/reports/check', { onRequest: guard, preHandler: limited, schema: { body: FormBody } }, async (request, reply) => {
    const user = userOf(request)
    const values = readReportForm(request.body as FormBody)
    const reference = await app.services.rules.referenceAt(app.services.clock().toISOString())
    // the form of an existing case (修正後重送, 變更, 草稿) names it: the check then judges the case's new terms against
    // the applicant's OTHER cases (never the case against itself) and takes the applicant from the case; the id is
    // honoured only for a case the caller may open (scoped read; anything else is checked as a new filing)
    const caseIdTyped = str(request.body as FormBody, 'caseId')
    const own = /^[0-9a-f-]{36}$/i.test(caseIdTyped) ? await getCase(app.services.readModels, scopeOf(user), caseIdTyped) : undefined
    const { input, errors } = checkReportForm(values, { needsApplicant: user.actor.role === 'institution' && !own, intent: 'submit', reference })
    const touched = Boolean(values.from || values.sesDate.some(Boolean))
    const typed: Record<LiveField, boolean> = {
      supportedCode: Boolean(values.supportedCode), department: Boolean(values.department), purpose: Boolean(values.purpose),
      from: Boolean(values.from), to: Boolean(values.to), weekdays: touched, windows: values.winStart.some(Boolean) || values.winEnd.some(Boolean),
      sessions: values.sesDate.some(Boolean) || values.sesStart.some(Boolean) || values.sesEnd.some(Boolean), applicantId: Boolean(values.applicantId),
    }
    const live: Partial<Record<LiveField, string[]>> = {}
    const add = (f: LiveField, m: string) => { const l = (live[f] ??= []); if (!l.includes(m)) l.push(m) }
    for (const [k, m] of Object.entries(errors)) {
      const f = liveFieldOf(k)
      if (f && typed[f]) add(f, m)
    }
    const formatErrors = touched ? Object.values(errors).filter((m, i, a) => a.indexOf(m) === i) : []
    let applicantId = own ? own.nationalId : user.actor.role === 'institution' ? input?.applicantId : user.actor.id
    // an institution previews only its own staff: the preview names the applicant's other cases (numbers, dates,
    // status) and quota use, which belong to the applicant's own institution and never to another
    if (applicantId && user.actor.role === 'institution') {
      const p = await findProfessional(app.services.db, applicantId)
      if (!p || p.homeInstitutionCode !== (user.actor.institutionCode ?? user.actor.id)) applicantId = undefined
    }
    let preview: import('../../domain/types.js').FilingFindings | undefined
    let refusal: string | undefined
    if (input && applicantId) {
      try {
        preview = await app.services.reports.preview(applicantId, { supportedCode: input.supportedCode, department: input.department, purpose: input.purpose, schedule: input.schedule }, user.actor, own?.caseId)
      } catch (e) {
        if (!isDomainError(e)) throw e
        refusal = explain(e)
        const f = liveFieldOf(fieldOfError(e) ?? '')
        if (f) add(f, refusal)
      }
    }
    if (preview?.conflicts.length) {
      add(values.scheduleKind === 'sessions' ? 'sessions' : 'windows', errorMessage('SCHEDULE_CONFLICT', [conflictingCaseNames(preview.conflicts)]))
    }
    for (const q of preview?.quota.filter((x) => x.over) ?? []) {
      add(values.scheduleKind === 'sessions' ? 'sessions' : 'windows', q.enforcement === 'block' ? errorMessage('QUOTA_EXCEEDED', [describeQuotaFinding(q)]) : `注意：${errorMessage('QUOTA_EXCEEDED', [describeQuotaFinding(q)])}`)
    }
    // how each typed date was read (1160104, 116/01/04 and 2027/01/04 are the same day): shown under the field
    const understood: Partial<Record<LiveField, string>> = {}
    for (const f of ['from', 'to'] as const) if (isRocDate(values[f])) understood[f] = understoodText(rocToIso(values[f]))
    return reply.type('text/html; charset=utf-8').viewAsync('partials/checks.eta', { formatErrors, preview, touched, refusal, live, understood, liveFields: LIVE_FIELDS })
  })
}

/** The form's fields that have a live-check slot (`#live-<field>`). */
const LIVE_FIELDS = ['applicantId', 'supportedCode', 'department', 'purpose', 'from', 'to', 'weekdays', 'windows', 'sessions'] as const
type LiveField = (typeof LIVE_FIELDS)[number]
function liveFieldOf(key: string): LiveField | undefined {
  const base = key.split('.')[0]!
  if (base === 'winStart' || base === 'winEnd') return 'windows'
  if (base === 'sesDate' || base === 'sesStart' || base === 'sesEnd') return 'sessions'
  return (LIVE_FIELDS as readonly string[]).includes(base) ? (base as LiveField) : undefined
}
