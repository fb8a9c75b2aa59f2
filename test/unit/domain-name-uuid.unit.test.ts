// Name-based UUIDs: one function, valid RFC 9562 layout (version 8, variant 10) from every caller, and the ids of
// existing cases unchanged (case ids from command ids and the demo's seed case ids are stored as stream names).
import t from 'tap'
import { caseIdFor, isUuid, nameUuid } from '../../domain/name-uuid.js'
import { eventIdFor } from '../../commands/event-store/event-ids.js'
import { seedCaseId } from '../../commands/seed/seed-demo.js'
import { rowCommandId } from '../../http/batch/jobs.js'
import { prng, uuidFrom } from '../support/data-generator.js'

const V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('every caller produces a valid version-8 UUID', async (t) => {
  const r = prng(7)
  const ids = [
    nameUuid(''),
    nameUuid('報備支援'),
    caseIdFor('6f1c2f0e-8d3a-4b7e-9c1d-2a3b4c5d6e7f'),
    seedCaseId('wang-clinic-evenings'),
    eventIdFor('cmd-1', 0),
    eventIdFor('cmd-1', 1),
    rowCommandId('0101090517', { applicantId: 'A123456789', from: '1130301' }),
    rowCommandId('0101090517', { applicantId: 'A123456789', from: '1130301' }, 1),
    ...Array.from({ length: 200 }, (_, i) => nameUuid(`n${i}`)),
    ...Array.from({ length: 50 }, () => uuidFrom(r)),
  ]
  for (const id of ids) {
    t.match(id, V8, id)
    t.ok(isUuid(id))
  }
  t.equal(new Set(ids).size, ids.length, 'no two names share an id')
})

t.test('deterministic, and the ids of existing cases are what they were', async (t) => {
  t.equal(nameUuid('x'), nameUuid('x'))
  t.not(caseIdFor('a'), seedCaseId('a'), 'kinds are prefixed apart')
  // values of the former copies (http/wiring.ts caseIdFor, commands/seed/seed-demo.ts seedCaseId)
  t.equal(caseIdFor('6f1c2f0e-8d3a-4b7e-9c1d-2a3b4c5d6e7f'), '2ca38e53-137a-8753-b3b5-2108faf20ea8')
  t.equal(seedCaseId('wang-clinic-evenings'), '04b66cf8-4fc8-8c6e-87df-8d8ee943c349')
})

t.test('isUuid accepts RFC layouts only', async (t) => {
  t.ok(isUuid('123e4567-e89b-42d3-a456-426614174000'))
  t.notOk(isUuid('123e4567-e89b-02d3-a456-426614174000'), 'version 0')
  t.notOk(isUuid('123e4567-e89b-42d3-c456-426614174000'), 'variant 110')
  t.notOk(isUuid('not-a-uuid'))
  t.notOk(isUuid(42))
})
