import t from 'tap'
import { hipkiUrlOf } from '../../http/auth/login-service.js'

t.test('the login page tries the HiCOS component at HIPKI_URL, by default localhost:61161, never in demo mode unless set', async (t) => {
  t.equal(hipkiUrlOf({ DEMO: false }), 'http://localhost:61161')
  t.equal(hipkiUrlOf({ DEMO: true }), '', 'demo: the virtual cards are in the agent')
  t.equal(hipkiUrlOf({ DEMO: true, HIPKI_URL: 'http://127.0.0.1:61162/' }), 'http://127.0.0.1:61162')
  t.equal(hipkiUrlOf({ DEMO: false, HIPKI_URL: 'off' }), '')
})
