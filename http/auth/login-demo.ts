// Demo NHI web passwords: every demo professional (commands/registry/demo-registry.ts) gets DEMO_NHI_PASSWORD unless
// a password is already set (a changed one is kept). Demo mode only.
import type { Sql } from '../../commands/platform/database.js'
import { DEMO_PROFESSIONALS } from '../../commands/registry/demo-registry.js'
import { setNhiPassword } from './nhi-password.js'

export const DEMO_NHI_PASSWORD = 'demo-nhi-1234'

export async function seedDemoNhiPasswords(db: Sql, nationalIds: readonly string[] = DEMO_PROFESSIONALS.map((p) => p.nationalId)): Promise<number> {
  const have = new Set((await db.query<{ national_id: string }>(`SELECT national_id FROM login_nhi_passwords`)).rows.map((r) => r.national_id))
  let n = 0
  for (const id of nationalIds) {
    if (have.has(id)) continue
    await setNhiPassword(db, id, DEMO_NHI_PASSWORD)
    n++
  }
  return n
}
