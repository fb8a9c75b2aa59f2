// EventStoreDB adapter. With EVENTSTORE_URL set (e.g. a local single node:
//   docker run -d -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=None
//   EVENTSTORE_URL='esdb://127.0.0.1:2113?tls=false' npm test -- test/int/event-store-eventstoredb.int.test.ts)
// it runs the full event-store contract against the server. Without it, only the adapter's pure mappings are
// checked here, and the test says so: the ESDB contract NEEDS EVENTSTORE_URL.
import t from 'tap'
import {
  backoffMs,
  fromEsdbExpectedRevision,
  isSystemEvent,
  normaliseConnectionString,
  toEsdbExpectedRevision,
  typeFilterRegex,
  versionFromRevision,
} from '../../commands/event-store/eventstoredb-mapping.js'
import { eventIdFor } from '../../commands/event-store/event-ids.js'
import { createEventStoreDbEventStore } from '../../commands/event-store/eventstoredb-event-store.js'
import { eventStoreContract } from './event-store-contract.js'

t.test('expected version mapping: our version counts events, ESDB revisions are 0-based', async (t) => {
  t.equal(toEsdbExpectedRevision('no_stream'), 'no_stream')
  t.equal(toEsdbExpectedRevision(0), 'no_stream', 'an empty stream is no_stream')
  t.equal(toEsdbExpectedRevision(1), 0n, 'one event = revision 0')
  t.equal(toEsdbExpectedRevision(42), 41n)
  t.equal(toEsdbExpectedRevision('any'), 'any')
  t.equal(toEsdbExpectedRevision('stream_exists'), 'stream_exists')
  t.throws(() => toEsdbExpectedRevision(-1))
  t.throws(() => toEsdbExpectedRevision(1.5))
  t.equal(versionFromRevision(0n), 1)
  t.equal(versionFromRevision(9n), 10)
  t.equal(versionFromRevision('no_stream'), 'no_stream')
  for (const v of [1, 2, 17] as const) t.equal(fromEsdbExpectedRevision(toEsdbExpectedRevision(v)), v, `round trip ${v}`)
})

t.test('filters, ids, connection strings, backoff', async (t) => {
  const re = new RegExp(typeFilterRegex(['ReportApproved', 'A.B']))
  t.ok(re.test('ReportApproved'))
  t.notOk(re.test('ReportApprovedX'), 'exact names, not prefixes')
  t.ok(re.test('A.B'))
  t.notOk(re.test('AxB'), 'regex characters escaped')
  t.ok(isSystemEvent('$metadata', 'x'))
  t.ok(isSystemEvent('X', '$stats-127.0.0.1:2113'))
  t.notOk(isSystemEvent('ReportDrafted', 'report-1'))
  t.equal(eventIdFor('cmd-1', 0), eventIdFor('cmd-1', 0), 'deterministic')
  t.not(eventIdFor('cmd-1', 0), eventIdFor('cmd-1', 1))
  t.not(eventIdFor('cmd-1', 0), eventIdFor('cmd-2', 0))
  t.match(eventIdFor('cmd-1', 0), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a version-8 UUID')
  t.equal(normaliseConnectionString('kurrentdb://h:2113?tls=false'), 'esdb://h:2113?tls=false')
  t.equal(normaliseConnectionString('kurrentdb+discover://h:2113'), 'esdb+discover://h:2113')
  t.equal(normaliseConnectionString('esdb://h:2113'), 'esdb://h:2113')
  t.same([1, 2, 3, 20].map(backoffMs), [100, 200, 400, 10000])
})

const url = process.env.EVENTSTORE_URL
if (!url) {
  t.comment('EVENTSTORE_URL is not set: the EventStoreDB CONTRACT did not run (only the mappings above). Set EVENTSTORE_URL to run it.')
} else {
  eventStoreContract(
    t,
    async () => {
      const store = createEventStoreDbEventStore(url)
      return { store, isolated: false, teardown: () => store.close() }
    },
    { rounds: 3 },
  )
}
