// The support-report decider: state + evolve, commands + decide, what may be done now, what a case means (facts),
// how a case counts for others, input schemas.
export * from './state.js'
export * from './commands.js'
export { decide, previewFiling } from './decide.js'
export { allowedCommands, checkAllowed, GATE_FIELDS, isAllowed, type GateCase, type GateState } from './allowed.js'
export { caseFacts, type CaseFacts, type PendingApplication } from './case-facts.js'
export { countedTermsOf, existingReportOf, type CountedTerms } from './existing.js'
export { RETURNABLE_FIELDS, RETURNABLE_FIELD_LABEL, isReturnableField, type ReturnableField } from './returnable-fields.js'
export { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from './filing-rules.js'
export { authorizeFiler, authorizeReviewer } from './authorize.js'
