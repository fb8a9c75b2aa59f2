// The zh-TW message that tells a recipient of a reviewer's decision (e-mail and SMS): case number, outcome, reason,
// fields to fix and a link to the case. Built from the domain's decision (decisionOfEvent, caseFacts.decision),
// never from a re-derived reason. Pure.
import { APPLICATION_TYPE_LABEL, type ApplicationType } from '../types.js'
import { DECISION_OUTCOME_LABEL, type DecisionOutcome } from '../report/decision-events.js'

export interface DecisionNotice {
  caseNumber: string
  outcome: DecisionOutcome
  applicationType: ApplicationType
  applicantName: string
  supportedName: string
  approvalNumber: string | null
  reason: string | null
  fieldLabels: readonly string[]
  /** Absolute URL of the case page. */
  link: string
}

/** An SMS is kept short: the reason is cut at this many characters (the link shows it whole). */
export const SMS_REASON_MAX = 60

const headline = (n: DecisionNotice) => `${APPLICATION_TYPE_LABEL[n.applicationType]}申請${DECISION_OUTCOME_LABEL[n.outcome]}`

export function emailMessage(n: DecisionNotice): { subject: string; text: string } {
  const lines = [
    '您好：',
    '',
    `報備支援案件（案件編號 ${n.caseNumber}，申請人 ${n.applicantName}，支援${n.supportedName}）經衛生局審查：${headline(n)}。`,
    ...(n.approvalNumber ? [`核准文號：${n.approvalNumber}`] : []),
    ...(n.reason ? [`審查意見：${n.reason}`] : []),
    ...(n.fieldLabels.length ? [`請修正：${n.fieldLabels.join('、')}`] : []),
    '',
    `案件內容：${n.link}`,
    '',
    '此信由報備支援系統自動發送，請勿直接回覆。如不需再收到通知，請登入系統於「通知設定」選擇「不通知」。',
  ]
  return { subject: `【報備支援】案件 ${n.caseNumber} ${headline(n)}`, text: lines.join('\n') }
}

export function smsMessage(n: DecisionNotice): string {
  const reason = n.reason ? (n.reason.length > SMS_REASON_MAX ? `${n.reason.slice(0, SMS_REASON_MAX)}…` : n.reason) : ''
  return `【報備支援】案件 ${n.caseNumber} ${headline(n)}${reason ? `，審查意見：${reason}` : ''}。詳見 ${n.link}`
}
