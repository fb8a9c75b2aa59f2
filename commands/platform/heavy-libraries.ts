// Libraries loaded on first use instead of at start-up. exceljs alone pulls in ~600 CommonJS modules (its zip, csv
// and polyfill dependencies: ~0.3 s and more CPU), pdfkit its font engine; every process paid them at import
// (the server, each CLI command, each of the ~110 test files that build the app) though
// few ever write a spreadsheet or a PDF. The first spreadsheet or PDF waits for the load, once per process.
import type ExcelJSModule from 'exceljs'
import type PDFKitModule from 'pdfkit'
import type SanitizeHtmlModule from 'sanitize-html'

let excel: Promise<typeof ExcelJSModule> | undefined
let pdf: Promise<typeof PDFKitModule> | undefined
let sanitizeHtml: Promise<typeof SanitizeHtmlModule> | undefined

/** exceljs (spreadsheets: 批次 templates and uploads, 名冊 and statistics exports, registry files). */
export const loadExcelJs = (): Promise<typeof ExcelJSModule> => (excel ??= import('exceljs').then((m) => m.default))

/** pdfkit's PDFDocument (核准函, 申請書). */
export const loadPdfKit = (): Promise<typeof PDFKitModule> => (pdf ??= import('pdfkit').then((m) => m.default))

/** sanitize-html (the public pages' Markdown; ~80 CommonJS modules with postcss). */
export const loadSanitizeHtml = (): Promise<typeof SanitizeHtmlModule> => (sanitizeHtml ??= import('sanitize-html').then((m) => m.default))
