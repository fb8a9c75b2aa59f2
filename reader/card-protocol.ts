// What the reader agent needs from "the cards": list readers, read the NHI card, sign a challenge with a PKI card.
// The PC/SC backend (pcsc-backend.ts: APDUs through pcscd) and the PKCS#11 backend (pkcs11-backend.ts: HiCOS, OpenSC,
// SoftHSM2 in tests; `baobei reader --pkcs11 MODULE`) implement it.
import type { CardKind } from '../domain/card/certificate-profile.js'
import type { ReaderCardKind } from '../domain/card/reader-card.js'
import type { NhiCardData } from './nhi-card.js'

export type CardType = 'nhi' | 'hca' | 'unknown'

/**
 * One reader and the card in it, read without a PIN (domain/card/reader-card.ts). The page shows it to let the person
 * choose and to name a wrong card; the server never trusts it.
 */
export interface ReaderInfo {
  /** The reader (PC/SC reader name, or the PKCS#11 slot description): what POST /sign and GET /nhi-card take. */
  name: string
  cardPresent: boolean
  /** Set when a card is present. */
  cardType?: CardType
  /** For HCA-style cards: which kind the certificate says. */
  cardKind?: CardKind
  /** Set when a card is present: 健保卡, 醫事人員卡, 醫事機構卡, 人員憑證卡, an unplaced PKI card, or unknown. */
  kind?: ReaderCardKind
  /** The holder, masked (王○明; an institution's name whole), when the card shows one without a PIN. */
  holderHint?: string
  /** PKCS#11: the token label (POST /sign also takes it as `reader`). */
  token?: string
}

/** Card basic data returned with a signature: what the certificate subject says. */
export interface PkiCardBasicData {
  kind: CardKind | 'unknown'
  holderId: string
  name: string
  unit?: string
  certificateSerial: string
}

export interface SignResult {
  /** DER. */
  certificate: Buffer
  /** RSA PKCS#1 v1.5 over SHA-256(login payload). */
  signature: Buffer
  card: PkiCardBasicData
  reader: string
}

export interface CardBackend {
  readers(): Promise<ReaderInfo[]>
  /** Reads the NHI card in `reader`, or in the first reader holding one. CARD_ABSENT / READER_ABSENT. */
  readNhiCard(reader?: string): Promise<NhiCardData & { reader: string }>
  /**
   * VERIFY PIN, read the certificate, sign SHA-256(payload), where payload is the login payload the agent built
   * (domain/card/login-payload.ts), never bytes chosen by the page. PIN_WRONG { remaining } / PIN_LOCKED /
   * CARD_ABSENT / READER_ABSENT. The PIN goes to the card and nowhere else.
   */
  signChallenge(challenge: Buffer, pin: string, reader?: string): Promise<SignResult>
  close(): Promise<void>
}
