// CardBackend over any PKCS#11 module (`baobei reader --pkcs11 /path/to/module.so`): HiCOS's for HCA cards, OpenSC,
// a government card's middleware; SoftHSM2 in the tests. Through pkcs11js:
//   readers()        every slot whose token is initialised: the slot description is the "reader" (with the token
//                    label), the token's first signing certificate (public, read without the PIN) gives the card kind
//                    and the masked holder hint shown
//   signChallenge()  the token in the slot named (or the one token with that label; never another one), its flags first (CKF_USER_PIN_LOCKED → PIN_LOCKED, no try spent), C_Login with the PIN
//                    (CKR_PIN_INCORRECT → PIN_WRONG with the tries left the token reports: CKF_USER_PIN_FINAL_TRY = 1,
//                    otherwise unknown; CKR_PIN_LOCKED → PIN_LOCKED), the certificate whose private key (same CKA_ID)
//                    may sign, then CKM_SHA256_RSA_PKCS over the login payload (or CKM_RSA_PKCS over its SHA-256
//                    DigestInfo when the module only does raw PKCS#1), C_Logout
//   readNhiCard()    not a PKCS#11 card: CARD_ABSENT (the CLI pairs this backend with PC/SC for NHI cards)
// The PIN goes to the module and nowhere else. Calls are serialised (one session at a time).
import { createRequire } from 'node:module'
import type * as Pkcs11Types from 'pkcs11js'
import { certificateFromDer } from '../domain/card/certificate-profile.js'
import { readerCard } from '../domain/card/reader-card.js'
import { DomainError } from '../domain/errors.js'
import { cardBasicData } from './card-certificate.js'
import type { CardBackend, ReaderInfo, SignResult } from './card-protocol.js'
import { digestInfoSha256, PIN_PATTERN } from './hca-card.js'

type Pkcs11Module = typeof Pkcs11Types
const require = createRequire(import.meta.url)

export interface Pkcs11BackendOptions {
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void }
}

const trim = (s: string) => s.replace(/[\s\0]+$/, '')

interface TokenKey {
  certificate: Buffer
  keyHandle: Buffer
}

/** The PKCS#11 error code of a pkcs11js error, if it is one. */
const ckr = (e: unknown): number | undefined => (typeof (e as { code?: unknown })?.code === 'number' ? (e as { code: number }).code : undefined)


/** A token as the PKCS#11 backend sees it: its slot ("reader"), label, serial and certificates (DER). */
export interface Pkcs11Token {
  reader: string
  label: string
  serial: string
  certificates: Buffer[]
}

export interface Pkcs11Backend extends CardBackend {
  /** Every initialised token with its certificates (public objects, no PIN). */
  tokens(): Promise<Pkcs11Token[]>
}

export function openPkcs11Backend(modulePath: string, opts: Pkcs11BackendOptions = {}): Pkcs11Backend {
  let lib: Pkcs11Module
  try {
    lib = require('pkcs11js') as Pkcs11Module
  } catch (e) {
    throw new Error(`PKCS#11 support (pkcs11js) is not installed: ${(e as Error).message}`)
  }
  const p11 = new lib.PKCS11()
  try {
    p11.load(modulePath)
  } catch (e) {
    throw new Error(`cannot load the PKCS#11 module ${modulePath}: ${(e as Error).message}`)
  }
  p11.C_Initialize()
  const info = p11.C_GetInfo()
  opts.logger?.info({ module: modulePath, manufacturer: trim(info.manufacturerID), library: trim(info.libraryDescription) }, 'PKCS#11 module loaded')

  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(work: () => T): Promise<T> => {
    const run = queue.then(work)
    queue = run.catch(() => undefined)
    return run
  }

  /** Slots with an initialised token, as [handle, description, token label, flags]. */
  const tokens = () =>
    p11.C_GetSlotList(true).flatMap((slot) => {
      try {
        const t = p11.C_GetTokenInfo(slot)
        if (!(t.flags & lib.CKF_TOKEN_INITIALIZED)) return []
        return [{ slot, name: trim(p11.C_GetSlotInfo(slot).slotDescription), label: trim(t.label), serial: trim(t.serialNumber), flags: t.flags }]
      } catch {
        return []
      }
    })

  const findAll = (session: Buffer, template: Pkcs11Types.Template): Buffer[] => {
    p11.C_FindObjectsInit(session, template)
    try {
      const out: Buffer[] = []
      for (let h = p11.C_FindObjects(session); h && out.length < 64; h = p11.C_FindObjects(session)) out.push(h)
      return out
    } finally {
      p11.C_FindObjectsFinal(session)
    }
  }

  const certificates = (session: Buffer): Array<{ der: Buffer; id: Buffer }> =>
    findAll(session, [
      { type: lib.CKA_CLASS, value: lib.CKO_CERTIFICATE },
      { type: lib.CKA_CERTIFICATE_TYPE, value: lib.CKC_X_509 },
    ]).map((h) => {
      const [value, id] = p11.C_GetAttributeValue(session, h, [{ type: lib.CKA_VALUE }, { type: lib.CKA_ID }])
      return { der: value!.value as Buffer, id: (id!.value as Buffer | undefined) ?? Buffer.alloc(0) }
    })

  /** The signing certificate of a logged-in session and its private key (same CKA_ID, CKA_SIGN). */
  const signingKey = (session: Buffer): TokenKey | undefined => {
    const certs = certificates(session)
    // a certificate allowing digitalSignature first (HCA cards also hold an encryption certificate)
    const ranked = [...certs].sort((a, b) => Number(allowsSigning(b.der)) - Number(allowsSigning(a.der)))
    for (const c of ranked) {
      const [key] = findAll(session, [
        { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
        { type: lib.CKA_ID, value: c.id },
        { type: lib.CKA_SIGN, value: true },
      ])
      if (key) return { certificate: c.der, keyHandle: key }
    }
    return undefined
  }

  const pickToken = (reader?: string) => {
    const all = tokens()
    if (!all.length) throw new DomainError('CARD_ABSENT')
    if (reader === undefined) return all[0]!
    // the slot named, else the one token with that label: never another token instead
    const bySlot = all.find((x) => x.name === reader)
    if (bySlot) return bySlot
    const byLabel = all.filter((x) => x.label === reader)
    if (byLabel.length !== 1) throw new DomainError('READER_ABSENT', { reader, ...(byLabel.length ? { ambiguous: byLabel.length } : {}) })
    return byLabel[0]!
  }

  const pinRefusal = (slot: Buffer, code: number | undefined): DomainError | undefined => {
    if (code === lib.CKR_PIN_LOCKED) return new DomainError('PIN_LOCKED')
    if (code === lib.CKR_PIN_LEN_RANGE) return new DomainError('VALIDATION_FAILED', { field: 'pin' }, 'PIN 碼長度不符')
    if (code !== lib.CKR_PIN_INCORRECT && code !== lib.CKR_PIN_INVALID) return undefined
    const flags = p11.C_GetTokenInfo(slot).flags
    if (flags & lib.CKF_USER_PIN_LOCKED) return new DomainError('PIN_LOCKED')
    const remaining = flags & lib.CKF_USER_PIN_FINAL_TRY ? 1 : null
    return new DomainError('PIN_WRONG', { remaining, low: Boolean(flags & lib.CKF_USER_PIN_COUNT_LOW) }, remaining ? 'PIN 碼錯誤，剩最後 1 次機會' : 'PIN 碼錯誤')
  }

  return {
    tokens: () =>
      serial((): Pkcs11Token[] =>
        tokens().map((t) => {
          const session = p11.C_OpenSession(t.slot, lib.CKF_SERIAL_SESSION)
          try {
            return { reader: t.name, label: t.label, serial: t.serial, certificates: certificates(session).map((c) => c.der) }
          } finally {
            p11.C_CloseSession(session)
          }
        }),
      ),

    readers: () =>
      serial((): ReaderInfo[] =>
        tokens().map((t) => {
          let session: Buffer | undefined
          try {
            session = p11.C_OpenSession(t.slot, lib.CKF_SERIAL_SESSION)
            const cert = certificates(session).sort((a, b) => Number(allowsSigning(b.der)) - Number(allowsSigning(a.der)))[0]
            if (!cert) return { name: t.name, cardPresent: true, cardType: 'unknown' as const, kind: 'unknown' as const, token: t.label }
            const card = cardBasicData(cert.der)
            return {
              name: t.name, cardPresent: true, cardType: 'hca' as const, ...(card.kind !== 'unknown' ? { cardKind: card.kind } : {}),
              ...readerCard('pki', card.kind, card.name), token: t.label,
            }
          } catch {
            return { name: t.name, cardPresent: true, cardType: 'unknown' as const, kind: 'unknown' as const, token: t.label }
          } finally {
            if (session) p11.C_CloseSession(session)
          }
        }),
      ),

    readNhiCard: async () => {
      throw new DomainError('CARD_ABSENT', { reason: 'an NHI card is not a PKCS#11 token' }, '請將健保卡插入 PC/SC 讀卡機')
    },

    signChallenge: (payload, pin, reader) =>
      serial((): SignResult => {
        if (!PIN_PATTERN.test(pin)) throw new DomainError('VALIDATION_FAILED', { field: 'pin' }, 'PIN 碼須為 4 至 12 位數字')
        const t = pickToken(reader)
        if (t.flags & lib.CKF_USER_PIN_LOCKED) throw new DomainError('PIN_LOCKED')
        const session = p11.C_OpenSession(t.slot, lib.CKF_SERIAL_SESSION)
        let loggedIn = false
        try {
          try {
            p11.C_Login(session, lib.CKU_USER, pin)
            loggedIn = true
          } catch (e) {
            if (ckr(e) === lib.CKR_USER_ALREADY_LOGGED_IN) loggedIn = true
            else throw pinRefusal(t.slot, ckr(e)) ?? e
          }
          const key = signingKey(session)
          if (!key) throw new DomainError('CARD_ABSENT', { reason: 'no signing certificate with its private key on the token' }, '卡片中沒有可簽章的憑證')
          const mechanisms = p11.C_GetMechanismList(t.slot)
          let signature: Buffer
          if (mechanisms.includes(lib.CKM_SHA256_RSA_PKCS)) {
            p11.C_SignInit(session, { mechanism: lib.CKM_SHA256_RSA_PKCS }, key.keyHandle)
            signature = p11.C_Sign(session, payload, Buffer.alloc(1024))
          } else {
            p11.C_SignInit(session, { mechanism: lib.CKM_RSA_PKCS }, key.keyHandle)
            signature = p11.C_Sign(session, digestInfoSha256(payload), Buffer.alloc(1024))
          }
          return { certificate: key.certificate, signature: Buffer.from(signature), card: cardBasicData(key.certificate), reader: t.name }
        } finally {
          if (loggedIn) {
            try {
              p11.C_Logout(session)
            } catch {
              /* the session closes anyway */
            }
          }
          p11.C_CloseSession(session)
        }
      }),

    close: () =>
      serial(() => {
        try {
          p11.C_Finalize()
        } finally {
          p11.close()
        }
      }),
  }
}

/** Whether a certificate's keyUsage allows digitalSignature (true when it has no keyUsage at all). */
function allowsSigning(der: Buffer): boolean {
  try {
    const ext = certificateFromDer(der).getExtension('keyUsage') as { digitalSignature?: boolean } | null
    return !ext || Boolean(ext.digitalSignature)
  } catch {
    return false
  }
}

/** The PKCS#11 backend for signing, another backend (PC/SC) for NHI cards and for its readers too. */
export function withNhiCards(pki: CardBackend, nhi: CardBackend): CardBackend {
  return {
    readers: async () => {
      const tokens = await pki.readers()
      // a PC/SC reader a PKCS#11 slot already names (OpenSC, HiCOS: the slot description holds the reader name) is that
      // slot's card, listed once; another card seen over PC/SC only cannot sign here (signing goes through PKCS#11)
      const pcsc = (await nhi.readers().catch(() => [])).filter((r) => r.kind === 'nhi' || !tokens.some((t) => t.name.includes(r.name)))
      return [...tokens, ...pcsc.map((r): ReaderInfo => (!r.cardPresent || r.kind === 'nhi' ? r : { name: r.name, cardPresent: true, cardType: 'unknown', kind: 'unknown' }))]
    },
    readNhiCard: (reader) => nhi.readNhiCard(reader),
    signChallenge: (payload, pin, reader) => pki.signChallenge(payload, pin, reader),
    close: async () => {
      await pki.close()
      await nhi.close()
    },
  }
}
