// 網站資料管理: the public portal's pages (最新消息, 申辦方式說明, 常見問題) as a decider over `site-<pageId>`. A page
// is published (created or edited) with a date, or withdrawn; its body is Markdown, rendered and sanitized when
// shown (http/public/markdown.ts). Only the MOHW administrator edits them. Pure.
import { DomainError } from '../errors.js'
import type { Actor, IsoDate } from '../types.js'

export type SitePageKind = 'news' | 'howto' | 'faq'
export const SITE_PAGE_KINDS: readonly SitePageKind[] = ['news', 'howto', 'faq']
export const SITE_PAGE_KIND_LABEL: Readonly<Record<SitePageKind, string>> = { news: '最新消息', howto: '申辦方式說明', faq: '常見問題' }
export const isSitePageKind = (k: string): k is SitePageKind => (SITE_PAGE_KINDS as readonly string[]).includes(k)

export const MAX_PAGE_BODY = 20_000
export const sitePageStream = (pageId: string) => `site-${pageId}`

export interface SitePageContent {
  kind: SitePageKind
  title: string
  /** Markdown (a safe subset of HTML is kept when shown). */
  body: string
  /** Shown from this date on (Asia/Taipei), and as the page's date. */
  publishedOn: IsoDate
}

export interface SitePagePublished {
  type: 'SitePagePublished'
  data: { pageId: string } & SitePageContent
}
export interface SitePageWithdrawn {
  type: 'SitePageWithdrawn'
  data: { pageId: string; reason: string }
}
export type SitePageEvent = SitePagePublished | SitePageWithdrawn
export const SITE_PAGE_EVENT_TYPES: readonly SitePageEvent['type'][] = ['SitePagePublished', 'SitePageWithdrawn']

export type SitePageCommand =
  | { type: 'PublishSitePage'; data: { pageId: string } & SitePageContent }
  | { type: 'WithdrawSitePage'; data: { reason: string } }

export type SitePageState = { exists: false } | { exists: true; pageId: string; content: SitePageContent; withdrawn: boolean }
export const initialSitePageState = (): SitePageState => ({ exists: false })

export function evolveSitePage(s: SitePageState, e: SitePageEvent): SitePageState {
  if (e.type === 'SitePagePublished') {
    const { pageId, ...content } = e.data
    return { exists: true, pageId, content, withdrawn: false }
  }
  if (e.type === 'SitePageWithdrawn' && s.exists) return { ...s, withdrawn: true }
  return s
}

const invalid = (field: string, why: string): never => {
  throw new DomainError('VALIDATION_FAILED', { fields: [field] }, why)
}

export function decideSitePage(c: SitePageCommand, s: SitePageState, ctx: { actor: Actor }): SitePageEvent[] {
  if (ctx.actor.role !== 'admin') throw new DomainError('FORBIDDEN')
  if (c.type === 'WithdrawSitePage') {
    if (!s.exists) throw new DomainError('PAGE_NOT_FOUND')
    if (s.withdrawn) return []
    const reason = c.data.reason.trim()
    if (!reason) throw new DomainError('REASON_REQUIRED')
    return [{ type: 'SitePageWithdrawn', data: { pageId: s.pageId, reason: reason.slice(0, 500) } }]
  }
  const d = c.data
  if (s.exists && s.pageId !== d.pageId) throw new DomainError('PAGE_NOT_FOUND')
  if (!isSitePageKind(d.kind)) invalid('kind', '頁面類別不正確')
  const title = d.title.trim()
  if (!title || title.length > 200) invalid('title', '標題必填（200 字以內）')
  if (!d.body.trim() || d.body.length > MAX_PAGE_BODY) invalid('body', `內容必填（${MAX_PAGE_BODY} 字以內）`)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.publishedOn) || Number.isNaN(Date.parse(d.publishedOn))) invalid('publishedOn', '發布日期格式不正確')
  const content: SitePageContent = { kind: d.kind, title, body: d.body.replace(/\r\n/g, '\n'), publishedOn: d.publishedOn }
  if (s.exists && !s.withdrawn && JSON.stringify(s.content) === JSON.stringify(content)) return []
  return [{ type: 'SitePagePublished', data: { pageId: d.pageId, ...content } }]
}
