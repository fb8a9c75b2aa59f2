// The PostgreSQL channel on which a recorded rule version is announced (payload: the rule set's name). The
// administration projection NOTIFYs it in the transaction that records the version (delivered at commit); every
// instance's rules service LISTENs and drops its cache.
export const RULES_CHANNEL = 'baobei_rules'
