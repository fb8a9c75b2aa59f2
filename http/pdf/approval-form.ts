// 套印: the support approval form (報備支援核准表), one case a page, several cases in one PDF. pdfkit with the
// Noto Sans CJK TC face embedded (subset), ROC dates with weekday, approval number. Pure apart from reading the
// font file once.
import { readFileSync } from 'node:fs'
import { loadPdfKit } from '../../commands/platform/heavy-libraries.js'
import { FIRST_NAMES, type ReferenceNames } from '../../domain/reference/lists.js'
import { maskPersonId } from '../../domain/national-id.js'
import { formatRocDateWithWeekday, formatRocInstant, isoToRoc, taipeiDate } from '../../domain/roc-date.js'
import { describeSchedule } from '../../domain/schedule-text.js'
import { APPLICATION_TYPE_LABEL, type ApplicationType, type InstitutionRef, type Instant, type IsoDate, type Schedule } from '../../domain/types.js'
import { DomainError } from '../../domain/errors.js'
import type { CaseView } from '../../projections/case-view.js'

export const CJK_FONT_PATH = process.env.BAOBEI_CJK_FONT ?? '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'
export const CJK_FONT_FAMILY = 'NotoSansCJKtc-Regular'

/** What one printed form shows. */
export interface ApprovalFormEntry {
  caseNumber: string
  approvalNumber: string
  approvedOn: IsoDate
  applicationType: ApplicationType
  applicant: { name: string; nationalId: string; profession: string; licenseNumber?: string }
  home: InstitutionRef
  supported: InstitutionRef
  department: string
  purpose: string
  schedule: Schedule
  cancelEffective?: IsoDate | null
  /** Issuing bureau, e.g. 臺北市政府衛生局. */
  bureau: string
  note?: string
}

export interface PrintOptions {
  printedAt: Instant
  /** Shown in the footer: who printed. */
  printedBy?: string
  /** Names of the codes: the reference lists in force at printing (an administrator's new 支援科別 has its name). */
  names?: ReferenceNames
}

/** The form of an approved (or cancelled by approval) case. Refuses anything without an approval. */
export function approvalFormEntry(view: CaseView, bureau: string): ApprovalFormEntry {
  if (!view.approvalNumber || !view.approvedAt || !view.caseNumber || !view.approved || !view.facts.approvedApplicationType) {
    throw new DomainError('NOT_APPROVED_CANNOT_PRINT', { caseId: view.caseId })
  }
  const t = view.approved.terms
  return {
    caseNumber: view.caseNumber,
    approvalNumber: view.approvalNumber,
    approvedOn: taipeiDate(view.approvedAt),
    // the application the approval number decided (the domain's: a pending change does not relabel it)
    applicationType: view.facts.approvedApplicationType,
    applicant: {
      name: view.applicant.name,
      nationalId: view.applicant.nationalId,
      profession: view.applicant.profession,
      licenseNumber: view.applicant.licenseNumber,
    },
    home: view.applicant.home,
    supported: t.supported,
    department: t.department,
    purpose: t.purpose,
    schedule: t.schedule,
    cancelEffective: view.cancelEffective,
    bureau,
    ...(t.note ? { note: t.note } : {}),
  }
}

/** Schedule lines as printed: ['1130301 星期五 至 1130630 星期日', '每週一、三，0800–1200'] (the domain's wording). */
export const scheduleLines = (s: Schedule): string[] => describeSchedule(s).lines

let fontCache: Buffer | undefined
const font = () => (fontCache ??= readFileSync(CJK_FONT_PATH))

const TITLE: Record<ApplicationType, string> = {
  register: '醫事人員報備支援核准表',
  change: '醫事人員報備支援變更核准表',
  cancel: '醫事人員報備支援註銷核准表',
}

const inst = (i: InstitutionRef) => `${i.name}（${i.code}）`

function rows(e: ApprovalFormEntry, names: ReferenceNames): [string, string][] {
  const out: [string, string][] = [
    ['案件編號', e.caseNumber],
    ['核准文號', e.approvalNumber],
    ['核准日期', formatRocDateWithWeekday(e.approvedOn)],
    ['申請類別', APPLICATION_TYPE_LABEL[e.applicationType]],
    ['姓名', e.applicant.name],
    ['身分證號', maskPersonId(e.applicant.nationalId)],
    ['醫事人員類別', names.profession(e.applicant.profession) ?? e.applicant.profession],
  ]
  if (e.applicant.licenseNumber) out.push(['證書字號', e.applicant.licenseNumber])
  out.push(
    ['執業機構', inst(e.home)],
    ['被支援機構', inst(e.supported)],
    ['支援科別', `${e.department} ${names.department(e.department) ?? ''}`.trim()],
    ['支援目的', names.purpose(e.purpose) ?? e.purpose],
  )
  if (e.applicationType === 'cancel' && e.cancelEffective) out.push(['註銷生效日', formatRocDateWithWeekday(e.cancelEffective)])
  if (e.note) out.push(['備註', e.note])
  return out
}

function drawForm(doc: PDFKit.PDFDocument, e: ApprovalFormEntry, opts: PrintOptions) {
  const left = doc.page.margins.left
  const width = doc.page.width - left - doc.page.margins.right
  const labelW = 110
  doc.fontSize(18).text(e.bureau, { align: 'center' })
  doc.moveDown(0.2).fontSize(16).text(TITLE[e.applicationType], { align: 'center' })
  doc.moveDown(1).fontSize(11)
  const line = (label: string, value: string) => {
    const y = doc.y
    doc.text(label, left, y, { width: labelW })
    doc.text(value, left + labelW, y, { width: width - labelW })
    const bottom = doc.y
    doc.moveTo(left, bottom + 3).lineTo(left + width, bottom + 3).lineWidth(0.3).strokeColor('#999999').stroke()
    doc.y = bottom + 8
  }
  for (const [k, v] of rows(e, opts.names ?? FIRST_NAMES)) line(k, v)
  const sched = scheduleLines(e.schedule)
  line('支援時段', sched.join('\n'))
  doc.moveDown(1)
  doc.fontSize(10).text(
    '上開醫事人員報備支援業經本局核准，請依核准之時段及地點執行業務；如有異動，應於事前辦理變更或註銷。',
    left,
    doc.y,
    { width },
  )
  doc.moveDown(2)
  doc.fontSize(9).fillColor('#555555')
  doc.text(`列印時間：${formatRocInstant(opts.printedAt)}${opts.printedBy ? `　列印者：${opts.printedBy}` : ''}`, left, doc.y, { width })
  doc.fillColor('#000000')
}

/** Renders one PDF: a page (or more, when the schedule is long) per entry, in the given order. */
export async function renderApprovalForms(entries: readonly ApprovalFormEntry[], opts: PrintOptions): Promise<Buffer> {
  if (entries.length === 0) throw new DomainError('NOTHING_SELECTED')
  const printed = new Date(opts.printedAt)
  const PDFDocument = await loadPdfKit()
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    autoFirstPage: false,
    info: {
      Title: entries.length === 1 ? `${TITLE[entries[0]!.applicationType]} ${entries[0]!.caseNumber}` : `報備支援核准表（${entries.length} 件）`,
      Producer: 'baobei',
      Creator: 'baobei',
      CreationDate: printed,
      ModDate: printed,
    },
  })
  doc.registerFont('cjk', font(), CJK_FONT_FAMILY)
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  for (const e of entries) {
    doc.addPage()
    doc.font('cjk')
    drawForm(doc, e, opts)
  }
  doc.end()
  return done
}

/** File name for a download: 核准表_<caseNumber>.pdf or 核准表_<n>件_<ROC date>.pdf. */
export const approvalFormFileName = (entries: readonly ApprovalFormEntry[], printedAt: Instant) =>
  entries.length === 1 ? `approval-${entries[0]!.caseNumber}.pdf` : `approval-${entries.length}-${isoToRoc(taipeiDate(printedAt))}.pdf`
