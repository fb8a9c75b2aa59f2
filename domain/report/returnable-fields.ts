// The fields of a filing a reviewer can ask the filer to fix when returning it (退回補正), with their zh-TW names.
export const RETURNABLE_FIELDS = ['supported', 'department', 'purpose', 'schedule', 'attachments', 'note'] as const
export type ReturnableField = (typeof RETURNABLE_FIELDS)[number]

export const RETURNABLE_FIELD_LABEL: Readonly<Record<ReturnableField, string>> = {
  supported: '被支援機構',
  department: '支援科別',
  purpose: '支援目的',
  schedule: '支援時段',
  attachments: '附件',
  note: '備註',
}

export const isReturnableField = (f: unknown): f is ReturnableField => typeof f === 'string' && (RETURNABLE_FIELDS as readonly string[]).includes(f)
