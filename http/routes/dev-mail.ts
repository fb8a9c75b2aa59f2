// 電子郵件外寄匣（示範）: demo mode only, loopback only (every /dev/* path, http/app.ts): the embedded e-mail outbox
// of the decision notifier, the "mailbox" of the demo professionals and institutions.
//   GET /dev/mail   the newest messages (recipient, subject, body, message id)
import type { App } from '../schemas.js'
import { listEmailOutbox } from '../notify/email.js'

export async function registerDevMailRoutes(app: App) {
  app.get('/dev/mail', async (_request, reply) => {
    const messages = await listEmailOutbox(app.services.db, 50)
    return reply.page('pages/dev-mail.eta', { title: '電子郵件外寄匣（示範）', messages })
  })
}
