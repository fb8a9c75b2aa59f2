// The support-report decider: state + evolve, commands + decide, how a case counts for others, input schemas.
export * from './state.js'
export * from './commands.js'
export { decide } from './decide.js'
export { existingReportOf } from './existing.js'
export { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from './filing-rules.js'
export { authorizeFiler, authorizeReviewer } from './authorize.js'
