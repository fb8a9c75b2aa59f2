// What marks a demo event: the seed files every demo command under a correlation id with this prefix. The roster
// leaves such approvals out, so demo cases never reach a delivery to NHI even if a demo seed met a real database.
export const DEMO_CORRELATION_PREFIX = 'seed:'

export const isDemoCorrelation = (correlationId: string | undefined): boolean => (correlationId ?? '').startsWith(DEMO_CORRELATION_PREFIX)
