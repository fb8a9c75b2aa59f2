// One catalogue of coded errors: stable code → HTTP status, zh-TW message, and (where the message carries numbers,
// cases or names) a template whose %s slots are filled, in order, by the arguments the error was raised with (the
// model is fastify's createError(code, message, status)). Domain, commands, projections, exporter, reader and HTTP
// all render from it. Add entries here; never reuse or rename a code.

interface ErrorSpec {
  status: number
  /** The message without arguments. */
  zh: string
  /** The message with arguments: %s slots filled in order (see errorMessage). */
  template?: string
}

export const ERRORS = {
  // input
  VALIDATION_FAILED: { status: 400, zh: '輸入資料格式不正確', template: '%s' },
  INVALID_NATIONAL_ID: { status: 400, zh: '身分證統一編號或居留證號格式不正確' },
  INVALID_INSTITUTION_CODE: { status: 400, zh: '醫事機構代碼格式不正確（應為 10 碼）' },
  INVALID_ROC_DATE: { status: 400, zh: '日期格式不正確（應為民國年 yyyMMdd）', template: '%s 日期格式不正確（應為民國年 yyyMMdd）：%s' },
  INVALID_TIME: { status: 400, zh: '時間格式不正確（應為 HHmm）' },
  UNKNOWN_PROFESSION: { status: 400, zh: '醫事人員類別不存在' },
  UNKNOWN_DEPARTMENT: { status: 400, zh: '支援科別不存在' },
  UNKNOWN_PURPOSE: { status: 400, zh: '支援目的不存在' },
  UNKNOWN_COUNTY: { status: 400, zh: '縣市代碼不存在' },
  // schedule
  SCHEDULE_EMPTY: { status: 422, zh: '支援時段不可空白' },
  SCHEDULE_END_BEFORE_START: { status: 422, zh: '結束日期或時間不可早於開始' },
  SCHEDULE_WINDOWS_OVERLAP: { status: 422, zh: '同一天的支援時段不可重疊' },
  SCHEDULE_OUTSIDE_LICENSE: { status: 422, zh: '支援期間超出執業執照有效期間' },
  SCHEDULE_IN_PAST: { status: 422, zh: '報備支援須於支援開始前申請，不可事後補報' },
  SCHEDULE_PAST_CHANGED: { status: 422, zh: '已發生的支援時段不可變更' },
  SCHEDULE_TOO_LONG: { status: 422, zh: '支援期間過長' },
  // registry
  PROFESSIONAL_NOT_FOUND: { status: 404, zh: '查無此醫事人員執業登記資料' },
  PROFESSIONAL_SUSPENDED: { status: 422, zh: '醫事人員目前為停業狀態，不可申請報備支援', template: '醫事人員%s，不可申請報備支援' },
  INSTITUTION_NOT_FOUND: { status: 404, zh: '查無此醫事機構' },
  INSTITUTION_CLOSED: { status: 422, zh: '醫事機構已停業或歇業，不可申請報備支援', template: '%s%s已%s，不可申請報備支援' },
  SAME_INSTITUTION: { status: 422, zh: '被支援機構不可為本身執業機構' },
  // rules
  SCHEDULE_CONFLICT: { status: 409, zh: '支援時段與其他報備支援案件重疊', template: '支援時段與其他報備支援案件重疊：與案件 %s 重疊' },
  QUOTA_EXCEEDED: { status: 422, zh: '超過報備支援額度限制', template: '超過報備支援額度限制：%s' },
  // case lifecycle
  REPORT_NOT_FOUND: { status: 404, zh: '查無此報備支援案件' },
  REPORT_ALREADY_EXISTS: { status: 409, zh: '案件已存在' },
  ILLEGAL_TRANSITION: { status: 409, zh: '案件目前的狀態不可進行此操作' },
  NOTHING_TO_DECIDE: { status: 409, zh: '此案件目前沒有待審核的申請' },
  CANCELLATION_CANNOT_BE_RETURNED: { status: 409, zh: '註銷申請只能核准或不核准，不可退回' },
  CANCEL_DATE_INVALID: { status: 422, zh: '註銷生效日須在支援期間內且不可早於今日' },
  REASON_REQUIRED: { status: 400, zh: '請填寫理由' },
  DECISION_REQUIRED: { status: 400, zh: '請選擇審核結果：核准、不核准或退回補正' },
  ATTACHMENT_NOT_FOUND: { status: 404, zh: '查無此附件' },
  ATTACHMENT_DUPLICATE: { status: 409, zh: '附件已存在' },
  ATTACHMENT_TYPE: { status: 415, zh: '附件僅接受 PDF、JPG、PNG 檔案' },
  ATTACHMENT_TOO_LARGE: { status: 413, zh: '附件檔案過大' },
  // authorization
  UNAUTHENTICATED: { status: 401, zh: '請先登入' },
  FORBIDDEN: { status: 403, zh: '您沒有權限執行此操作' },
  NOT_OWN_CASE: { status: 403, zh: '只能處理本人的報備支援案件' },
  NOT_OWN_STAFF: { status: 403, zh: '機構只能為本機構的醫事人員申請' },
  NOT_IN_COUNTY: { status: 403, zh: '此案件不屬於您所屬縣市衛生局審核' },
  FILING_NOT_IN_COUNTY: { status: 403, zh: '只能代為申請所屬縣市的醫事人員或機構', template: '只能代為申請所屬縣市的醫事人員或機構（執業機構「%s」不在您所屬縣市）' },
  ON_BEHALF_REQUIRED: { status: 400, zh: '代為申請須選擇申請人：醫事人員本人或其執業機構' },
  CSRF_FAILED: { status: 403, zh: '表單已過期，請重新整理頁面後再送出' },
  // concurrency / store
  CONCURRENCY_CONFLICT: { status: 409, zh: '案件已被其他人更新，請重新整理後再試' },
  STORE_UNAVAILABLE: { status: 503, zh: '系統暫時無法使用，請稍後再試' },
  SERIAL_EXHAUSTED: { status: 503, zh: '本日編號已用盡，請洽系統管理員' },
  // login (card, password, OTP)
  CHALLENGE_INVALID: { status: 401, zh: '登入驗證碼無效或已使用，請重新登入' },
  CHALLENGE_EXPIRED: { status: 401, zh: '登入驗證碼已逾時，請重新登入' },
  CERT_UNTRUSTED: { status: 401, zh: '卡片憑證不是由受信任的憑證中心簽發' },
  CERT_EXPIRED: { status: 401, zh: '卡片憑證已過期' },
  CERT_NOT_YET_VALID: { status: 401, zh: '卡片憑證尚未生效' },
  CERT_REVOKED: { status: 401, zh: '卡片憑證已廢止' },
  CERT_WRONG_TYPE: { status: 401, zh: '卡片類型不符（醫事人員卡與醫事機構卡不可互用）' },
  SIGNATURE_INVALID: { status: 401, zh: '卡片簽章驗證失敗' },
  HOLDER_UNKNOWN: { status: 401, zh: '查無此卡片持有人的登記資料' },
  CARD_NOT_REGISTERED: { status: 401, zh: '此卡片憑證未載明身分證號（或機構代碼），且尚未登記於醫事人員／醫事機構資料：請洽衛生局登記卡片憑證的簽發者與序號後再登入' },
  CERT_PROFILE_INVALID: { status: 401, zh: '卡片憑證格式不符（不是可用於登入的簽章憑證）', template: '卡片憑證格式不符：%s' },
  PIN_WRONG: { status: 401, zh: 'PIN 碼錯誤', template: 'PIN 碼錯誤，尚可嘗試 %s 次' },
  PIN_LOCKED: { status: 423, zh: '卡片已鎖卡，請洽發卡單位解鎖' },
  PASSWORD_WRONG: { status: 401, zh: '身分證號或健保卡網路服務註冊密碼錯誤' },
  OTP_WRONG: { status: 401, zh: '簡訊驗證碼錯誤，請核對簡訊內容後重新輸入，或按「重新傳送」取得新的驗證碼' },
  TOO_MANY_TRIES: { status: 429, zh: '嘗試次數過多，請稍後再試' },
  SESSION_EXPIRED: { status: 401, zh: '閒置過久，已自動登出，請重新登入' },
  CARD_ABSENT: { status: 400, zh: '讀卡機中沒有卡片，請插入卡片' },
  READER_ABSENT: { status: 400, zh: '找不到讀卡機，請確認讀卡機已連接' },
  ORIGIN_NOT_SIGNABLE: { status: 403, zh: '此網站位址不可使用卡片登入（須為 https 網站）' },
  CERT_REVOCATION_UNKNOWN: { status: 401, zh: '目前無法確認卡片憑證的廢止狀態，請稍後再試' },
  // export
  ROSTER_ALREADY_DELIVERED: { status: 409, zh: '該日名冊已傳送' },
  ROSTER_INVALID: { status: 422, zh: '名冊檔案格式不正確', template: '名冊 %s 不正確：%s' },
  HOST_KEY_MISMATCH: { status: 502, zh: 'SFTP 主機金鑰不符，已拒絕連線' },
  ROSTER_FIELD_INVALID: { status: 422, zh: '名冊欄位內容不符格式（僅限 ASCII，且不可超過欄位長度）', template: '名冊欄位 %s 不符格式：%s' },
  ROSTER_NOT_REPRODUCIBLE: { status: 500, zh: '重新產生的名冊與已記錄的內容不一致，已停止作業', template: '重新產生的 %s 與已記錄的內容不一致（%s），已停止作業' },
  ROSTER_DAY_NOT_OVER: { status: 409, zh: '該日尚未結束，不可產生名冊', template: '%s 仍有進行中的交易可能包含當日核准紀錄，暫不產生名冊，稍後重試' },
  ROSTER_NOT_GENERATED: { status: 409, zh: '該日名冊尚未產生或傳送，請改用 --deliver', template: '%s 的名冊尚未傳送過，請改用 --deliver' },
  ROSTER_CASE_INCOMPLETE: { status: 500, zh: '案件事件紀錄不完整，無法產生名冊', template: '案件事件紀錄不完整，無法產生名冊：%s 第 %s 筆事件前缺少 %s' },
  SFTP_NOT_CONFIGURED: { status: 500, zh: 'SFTP 傳送設定不完整（主機、帳號、金鑰或主機金鑰指紋）', template: 'SFTP 傳送設定不完整：缺少 %s' },
  SFTP_DELIVERY_FAILED: { status: 502, zh: '名冊 SFTP 傳送失敗，將於下次排程重試', template: '名冊 SFTP 傳送失敗：%s' },
  // batch
  BATCH_FILE_INVALID: { status: 400, zh: '上傳檔案格式不正確', template: '%s' },
  /** Another institution's batch (or an unknown one): 404, as for a case out of scope. */
  BATCH_NOT_FOUND: { status: 404, zh: '找不到此批次，請重新上傳檔案' },
  INTERNAL: { status: 500, zh: '系統發生錯誤，請稍後再試' },
  // back office
  COPIED_CASE_READ_ONLY: { status: 403, zh: '此為副知案件，僅供檢視，不可審核' },
  FIELDS_TO_FIX_REQUIRED: { status: 400, zh: '退回補正時請勾選需修正的欄位' },
  NOT_APPROVED_CANNOT_PRINT: { status: 409, zh: '案件尚未核准，不可套印核准表' },
  NOTHING_SELECTED: { status: 400, zh: '請至少勾選一件案件' },
  // projections
  READ_MODEL_NOT_READY: { status: 503, zh: '資料整理中，請稍後再試' },
  REBUILD_IN_PROGRESS: { status: 409, zh: '此資料表正在重建中，請待完成後再試' },
  UNKNOWN_PROJECTION: { status: 400, zh: '查無此投影（資料表）名稱', template: '查無此投影（資料表）名稱：%s（可用：%s）' },
  // login (issue #4: password, OTP, lock-out)
  LOGIN_LOCKED: { status: 429, zh: '嘗試次數過多，請於 15 分鐘後再試', template: '嘗試次數過多，請於 %s 分鐘後再試' },
  OTP_EXPIRED: { status: 401, zh: '簡訊驗證碼已逾時，請重新取得驗證碼' },
  OTP_NOT_REQUESTED: { status: 401, zh: '請先取得簡訊驗證碼' },
  NHI_CARD_MISMATCH: { status: 401, zh: '健保卡卡號與身分證號不符' },
  PHONE_NOT_REGISTERED: { status: 422, zh: '查無註冊的手機號碼，無法傳送簡訊驗證碼，請改用其他登入方式' },
  SMS_SEND_FAILED: { status: 502, zh: '簡訊傳送失敗，請稍後再試' },
  NHI_SERVICE_UNAVAILABLE: { status: 503, zh: '健保卡網路服務密碼驗證暫時無法使用，請稍後再試或改用其他登入方式' },
  CARD_LOGIN_UNAVAILABLE: { status: 503, zh: '憑證登入尚未設定（缺少信任憑證目錄），請洽系統管理員' },
  LOGIN_FORM_EXPIRED: { status: 403, zh: '登入頁面已逾時，請重新整理頁面後再試' },
  // security hardening (issue #13)
  CARDLESS_LOGIN_UNAVAILABLE: { status: 503, zh: '無卡登入（簡訊驗證碼）目前未開放，請改用其他登入方式' },
  // administration (issue #15: accounts, rules as data, site content, progress lookup)
  ACCOUNT_NOT_FOUND: { status: 404, zh: '查無此帳號' },
  ACCOUNT_EXISTS: { status: 409, zh: '帳號已存在' },
  ACCOUNT_DISABLED: { status: 409, zh: '帳號已停用' },
  ACCOUNT_OUT_OF_SCOPE: { status: 403, zh: '縣市衛生局管理者只能管理所屬縣市的審查人員帳號' },
  ACCOUNT_INVALID: { status: 400, zh: '帳號資料不完整或格式不正確' },
  CERTIFICATE_IN_USE: { status: 409, zh: '此憑證已對應其他帳號' },
  RULE_VERSION_INVALID: { status: 400, zh: '規則內容格式不正確' },
  RULE_EFFECTIVE_IN_PAST: { status: 422, zh: '規則生效時間不可早於現在（已作成的決定不因規則變更而改變）' },
  UNKNOWN_RULE_SET: { status: 404, zh: '查無此規則' },
  PAGE_NOT_FOUND: { status: 404, zh: '查無此頁面' },
  IMPORT_FILE_INVALID: { status: 400, zh: '匯入檔案格式不正確' },
  PROGRESS_NOT_FOUND: { status: 404, zh: '查無符合的案件，請確認案件編號與身分證號' },
  PROGRESS_TOO_MANY: { status: 429, zh: '查詢次數過多，請稍後再試' },
  ATTACHMENT_QUOTA_EXCEEDED: { status: 429, zh: '今日上傳的附件已達上限，請明日再試或洽系統管理員' },
  // notifications (issue #16: 通知方式)
  NOTIFY_PREFERENCE_INVALID: { status: 400, zh: '通知設定不正確', template: '%s' },
  NOTIFY_SEND_FAILED: { status: 502, zh: '通知傳送失敗，將稍後重試', template: '通知傳送失敗：%s' },
  COMMAND_ID_REUSED: { status: 409, zh: '此操作編號已被使用，請重新整理頁面後再送出' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof ERRORS

/** An argument of a message template: a number, a name, a case number, a period. */
export type ErrorArg = string | number

/**
 * The zh-TW message of a code with its arguments: the template with each %s filled in order, or the plain message
 * when the code has no template or the arguments do not fill it.
 */
export const errorMessage = (code: ErrorCode, args: readonly ErrorArg[] = []): string => {
  const spec: ErrorSpec = ERRORS[code]
  const template = spec.template
  if (template === undefined || args.length === 0 || template.split('%s').length - 1 !== args.length) return spec.zh
  let i = 0
  return template.replace(/%s/g, () => String(args[i++]))
}

/**
 * A refusal with a stable code. `details` carries the structured facts (for the API and logs), `args` the values
 * the catalogue's message template shows; `message` is the catalogue's text with them.
 */
export class DomainError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown>
  readonly args: readonly ErrorArg[]
  /** `args` fill the catalogue's template; a string is a message the caller composed (kept as it is). */
  constructor(code: ErrorCode, details: Record<string, unknown> = {}, args: readonly ErrorArg[] | string = []) {
    super(typeof args === 'string' ? args : errorMessage(code, args))
    this.name = 'DomainError'
    this.code = code
    this.details = details
    this.args = typeof args === 'string' ? [] : args
  }
  get zh(): string {
    return ERRORS[this.code].zh
  }
  get status(): number {
    return ERRORS[this.code].status
  }
}

export const fail = (code: ErrorCode, details: Record<string, unknown> = {}, args: readonly ErrorArg[] = []): never => {
  throw new DomainError(code, details, args)
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError

/**
 * True when `check` returns, false when it refuses with a DomainError. Asked many times per page (which commands
 * each listed case offers), so the refusals are built without stack traces: capturing one costs more than the check
 * itself. Any other error is a bug: the check is run again with stack traces so the error thrown has its stack.
 */
export function passes(check: () => void): boolean {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  let refused: unknown
  try {
    check()
    return true
  } catch (e) {
    refused = e
  } finally {
    Error.stackTraceLimit = limit
  }
  if (isDomainError(refused)) return false
  check() // pure: throws the same error again, this time with its stack
  throw refused
}
