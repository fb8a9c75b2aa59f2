import type { App } from '../schemas.js'
// Health, logout.
import { Type } from '@sinclair/typebox'

export async function registerCommonRoutes(app: App) {
  app.get('/healthz', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({ ok: true }))

  app.post('/logout', async (request, reply) => {
    await app.sessions.end(request, reply)
    return reply.redirect('/login', 303)
  })
}
