// The site pages' command handler (網站資料管理), shared by the pages and the JSON API: one decider, one path.
import { createCommandHandler } from '../../commands/command-handler.js'
import { decideSitePage, evolveSitePage, initialSitePageState, type SitePageCommand, type SitePageEvent, type SitePageState } from '../../domain/site/site-page.js'
import type { Actor } from '../../domain/types.js'
import type { App } from '../schemas.js'
import { storeOf } from './context.js'

export type SitePageHandler = ReturnType<typeof createCommandHandler<SitePageState, SitePageCommand, SitePageEvent, { actor: Actor }>>

const handlers = new WeakMap<object, SitePageHandler>()

/** Made at first use: the store is a service that may be plugged in after the routes are registered. */
export function sitePageHandler(app: App): SitePageHandler {
  const store = storeOf(app)
  let h = handlers.get(store)
  if (!h) {
    h = createCommandHandler<SitePageState, SitePageCommand, SitePageEvent, { actor: Actor }>(store, {
      initialState: initialSitePageState, evolve: evolveSitePage, decide: decideSitePage,
    })
    handlers.set(store, h)
  }
  return h
}
