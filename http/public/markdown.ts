// Markdown of the public pages → HTML, sanitized: `marked` renders, `sanitize-html` keeps a safe subset (text
// formatting, lists, tables, headings, links to http(s)/mailto only, no images, no scripts, no styles, no handlers).
// sanitize-html (with postcss, ~80 CommonJS modules, ~120 ms of CPU to load) is loaded on the first page rendered,
// not by every process that builds the app (commands/platform/heavy-libraries.ts).
import { marked } from 'marked'
import type sanitizeHtmlModule from 'sanitize-html'
import { loadSanitizeHtml } from '../../commands/platform/heavy-libraries.js'

const options = (sanitizeHtml: typeof sanitizeHtmlModule): sanitizeHtmlModule.IOptions => ({
  allowedTags: ['p', 'br', 'hr', 'strong', 'em', 'b', 'i', 'u', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'h2', 'h3', 'h4', 'h5', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'small', 'sup', 'sub'],
  allowedAttributes: { a: ['href', 'title'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }), h1: 'h2' },
  disallowedTagsMode: 'discard',
})
let cachedOptions: sanitizeHtmlModule.IOptions | undefined

export async function renderMarkdown(md: string): Promise<string> {
  const html = marked.parse(md, { async: false, gfm: true, breaks: true }) as string
  const sanitizeHtml = await loadSanitizeHtml()
  return sanitizeHtml(html, (cachedOptions ??= options(sanitizeHtml)))
}
