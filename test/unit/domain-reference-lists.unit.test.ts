// The filing checks take the reference lists in force as data (pure): a code on the list given is accepted, a code
// only on the first version is refused when the list given no longer has it; names fall back to the first version.
import t from 'tap'
import { checkTerms } from '../../domain/report/filing-rules.js'
import { FIRST_REFERENCE, referenceNamer, type ReferenceLists } from '../../domain/reference/lists.js'
import { isDomainError } from '../../domain/errors.js'
import type { Terms } from '../../domain/types.js'

const terms = (department: string, purpose = '01', county = '63'): Terms => ({
  supported: { code: '3563020002', name: '仁愛家醫診所', county },
  department, purpose,
  schedule: { kind: 'weekly', from: '2024-03-04', to: '2024-03-29', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] },
} as Terms)
const codeOf = (f: () => void) => { try { f(); return 'ok' } catch (e) { return isDomainError(e) ? e.code : String(e) } }

const next: ReferenceLists = {
  ...FIRST_REFERENCE,
  departments: [...FIRST_REFERENCE.departments.filter((d) => d.code !== '02'), { code: 'ZA', name: '遠距醫療科' }],
}

t.equal(codeOf(() => checkTerms(terms('ZA'))), 'UNKNOWN_DEPARTMENT', 'the first version has no ZA')
t.equal(codeOf(() => checkTerms(terms('ZA'), next)), 'ok', 'the list in force has it')
t.equal(codeOf(() => checkTerms(terms('02'), next)), 'UNKNOWN_DEPARTMENT', 'a department withdrawn from the list in force is refused')
t.equal(codeOf(() => checkTerms(terms('ZA', '01', '99'), next)), 'UNKNOWN_COUNTY')
t.equal(codeOf(() => checkTerms(terms('ZA', '99'), next)), 'UNKNOWN_PURPOSE')
const n = referenceNamer(next)
t.equal(n.department('ZA'), '遠距醫療科')
t.equal(n.department('02'), '內科', 'a withdrawn code keeps its name for old cases')
t.equal(n.county('63'), '臺北市')
t.equal(n.department('QQ'), undefined)
