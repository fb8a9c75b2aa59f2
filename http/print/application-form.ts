// 列印: the case as an application form (申請書) PDF, pdfkit with the Noto Sans CJK TC face embedded, ROC dates,
// the approval number once approved. Deterministic for the same case and print time.
import { readFileSync } from 'node:fs'
import { loadPdfKit } from '../../commands/platform/heavy-libraries.js'
import type { CaseView } from '../../projections/case-view.js'
import { FIRST_NAMES, type ReferenceNames } from '../../domain/reference/lists.js'
import { maskPersonId } from '../../domain/national-id.js'
import { formatRocDateWithWeekday } from '../../domain/roc-date.js'
import { describeSchedule } from '../../domain/schedule-text.js'
import { APPLICATION_TYPE_LABEL, STATUS_LABEL, type Terms } from '../../domain/types.js'
import { rocInstant } from '../present.js'

export const CJK_FONT_PATH = process.env.BAOBEI_CJK_FONT ?? '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'
export const CJK_FONT_FAMILY = 'NotoSansCJKtc-Regular'
let fontCache: Buffer | undefined
const font = () => (fontCache ??= readFileSync(CJK_FONT_PATH))


function termsRows(t: Terms, names: ReferenceNames): [string, string][] {
  return [
    ['被支援機構', `${t.supported.name}（${t.supported.code}）`],
    ['支援科別', `${t.department} ${names.department(t.department) ?? ''}`.trim()],
    ['支援目的', names.purpose(t.purpose) ?? t.purpose],
    ['支援時段', describeSchedule(t.schedule).lines.join('\n')],
    ...(t.note ? [['備註', t.note] as [string, string]] : []),
  ]
}

/** `names`: the reference lists in force at printing (their first version when not given). */
export async function renderApplicationForm(v: CaseView, printedAt: Date, names: ReferenceNames = FIRST_NAMES): Promise<Buffer> {
  const PDFDocument = await loadPdfKit()
  const doc = new PDFDocument({
    size: 'A4', margin: 56,
    info: { Title: `醫事人員報備支援申請書 ${v.caseNumber ?? ''}`.trim(), Producer: 'baobei', Creator: 'baobei', CreationDate: printedAt, ModDate: printedAt },
  })
  doc.registerFont('cjk', font(), CJK_FONT_FAMILY)
  doc.font('cjk')
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  const left = doc.page.margins.left
  const width = doc.page.width - left - doc.page.margins.right
  const labelW = 110
  const line = (label: string, value: string) => {
    const y = doc.y
    doc.text(label, left + 4, y, { width: labelW - 8 })
    doc.text(value, left + labelW, y, { width: width - labelW - 4 })
    const bottom = Math.max(doc.y, y + 14)
    doc.moveTo(left, bottom + 3).lineTo(left + width, bottom + 3).lineWidth(0.3).strokeColor('#888888').stroke()
    doc.y = bottom + 8
  }
  const heading = (s: string) => {
    doc.moveDown(0.6).fontSize(12).fillColor('#0b5394').text(s, left, doc.y).fillColor('#000000').fontSize(11).moveDown(0.3)
  }
  doc.fontSize(18).text('醫事人員報備支援申請書', { align: 'center' })
  doc.moveDown(0.3).fontSize(11).text(`申請類別：${APPLICATION_TYPE_LABEL[v.applicationType]}　申請進度：${STATUS_LABEL[v.status]}`, { align: 'center' })
  doc.moveDown(0.8)
  line('案件編號', v.caseNumber ?? '（草稿，尚未送審）')
  if (v.approvalNumber) line('核准文號', v.approvalNumber)
  if (v.approvedAt) line('核准日期', rocInstant(v.approvedAt))
  if (v.submittedAt) line('送審日期', rocInstant(v.submittedAt))
  heading('申請人')
  line('姓名', v.applicant.name)
  line('身分證號', maskPersonId(v.applicant.nationalId))
  line('醫事人員類別', names.profession(v.applicant.profession) ?? v.applicant.profession)
  line('證書字號', v.applicant.licenseNumber)
  line('執業機構', `${v.applicant.home.name}（${v.applicant.home.code}）`)
  heading(v.approved ? '核准之支援內容' : '申請之支援內容')
  for (const [k, val] of termsRows(v.facts.listedTerms, names)) line(k, val)
  if (v.pending?.terms) {
    heading('申請變更之內容')
    for (const [k, val] of termsRows(v.pending.terms, names)) line(k, val)
    if (v.pending.reason) line('變更理由', v.pending.reason)
  }
  if (v.pending?.type === 'cancel' && v.pending.effectiveDate) {
    heading('註銷申請')
    line('註銷生效日', formatRocDateWithWeekday(v.pending.effectiveDate))
    if (v.pending.reason) line('註銷理由', v.pending.reason)
  }
  if (v.attachments.length) line('附件', v.attachments.map((a) => a.name).join('\n'))
  doc.moveDown(2).fontSize(11).text('申請人簽章：＿＿＿＿＿＿＿＿＿＿　　　執業機構核章：＿＿＿＿＿＿＿＿＿＿', left, doc.y, { width })
  doc.moveDown(2).fontSize(9).fillColor('#555555').text(`列印時間：${rocInstant(printedAt)}`, left, doc.y, { width })
  doc.end()
  return done
}
