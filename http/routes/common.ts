import type { App } from '../schemas.js'
// Health, logout.
import { Type } from '@sinclair/typebox'
import { markLoggedOut } from '../errors.js'

export async function registerCommonRoutes(app: App) {
  app.get('/healthz', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }))

  // 登出: by the button, or by the page itself when the idle countdown ran out (reason=idle). A short-lived marker
  // cookie lets a page reached afterwards with Back say 「已登出」 on the login page rather than a bare error.
  app.post('/logout', async (request, reply) => {
    const idle = (request.body as { reason?: unknown } | undefined)?.reason === 'idle'
    await app.sessions.end(request, reply)
    markLoggedOut(reply, idle)
    return reply.redirect(idle ? '/login?expired=1' : '/login?loggedOut=1', 303)
  })
}
