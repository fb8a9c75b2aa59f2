// What a card in a reader is, as the reader agent lists it before any PIN: its kind and a masked hint of its holder.
// Pure. The agent (reader/) derives each listing row here; the login page gets the kind labels from here (rendered
// into the page) to name the cards it found. These are CLAIMS a browser passes on: the server never decides on them
// (it verifies the signature, the chain and the subject-type attribute of the certificate itself).
//
// Kinds:
//   nhi           健保卡 (NHI card: its applet answers)
//   professional  醫事人員卡, institution 醫事機構卡, staff 人員憑證卡: a PKI card whose certificate says which
//   pki           a PKI card whose certificate the agent cannot place (e.g. a government card whose kind only its CA
//                 family says, which the agent does not know): may still be the right one, the server decides
//   unknown       neither applet answers: no card this site can use
import type { CardKind } from './certificate-profile.js'

export type ReaderCardKind = CardKind | 'nhi' | 'pki' | 'unknown'

export const READER_CARD_LABELS: Readonly<Record<ReaderCardKind, string>> = {
  nhi: '健保卡',
  professional: '醫事人員卡',
  institution: '醫事機構卡',
  staff: '人員憑證卡',
  pki: '憑證卡（無法判別類別）',
  unknown: '無法辨識的卡片',
}

/** A person's name with all but its first and last character hidden: 王大明 → 王○明, 林堃 → 林○, 歐陽小芬 → 歐○○芬. */
export function maskPersonName(name: string): string {
  const chars = [...name.trim()]
  if (chars.length === 0) return ''
  if (chars.length === 1) return '○'
  if (chars.length === 2) return `${chars[0]}○`
  return `${chars[0]}${'○'.repeat(chars.length - 2)}${chars[chars.length - 1]}`
}

/**
 * The holder hint a listing may show without a PIN: an institution's name whole (it is public), a person's masked.
 * Undefined when the card names nobody.
 */
export function holderHint(kind: ReaderCardKind, name: string | undefined): string | undefined {
  const n = name?.trim()
  if (!n) return undefined
  return kind === 'institution' ? n : maskPersonName(n)
}

/** The listing row's kind and hint, from what the agent read: the card type and, for a PKI card, its certificate's kind. */
export function readerCard(
  type: 'nhi' | 'pki' | 'unknown',
  certificateKind: CardKind | 'unknown' | undefined,
  holderName: string | undefined,
): { kind: ReaderCardKind; holderHint?: string } {
  const kind: ReaderCardKind = type === 'pki' ? (certificateKind && certificateKind !== 'unknown' ? certificateKind : 'pki') : type
  const hint = kind === 'unknown' ? undefined : holderHint(kind, holderName)
  return hint ? { kind, holderHint: hint } : { kind }
}
