// The administration deciders in given / when / then form: accounts (who may manage whom, never deleted, reasons),
// rule versions (only MOHW, never effective in the past, content validated, the version in force at an instant)
// and site pages.
import t from 'tap'
import {
  decideAccount, evolveAccount, initialAccountState, certificateKey,
  type AccountCommand, type AccountContext, type AccountEvent, type AccountState, type AccountProfile,
} from '../../domain/accounts/account.js'
import {
  decideRuleSet, evolveRuleSet, FIRST_VERSIONS, inForce, initialRuleSetState,
  type PublishRuleVersion, type RuleSetContext, type RuleSetState, type RuleVersionPublished,
} from '../../domain/rules/rule-sets.js'
import { decideSitePage, evolveSitePage, initialSitePageState, type SitePageCommand, type SitePageEvent, type SitePageState } from '../../domain/site/site-page.js'
import { routeReport } from '../../domain/rules/routing.js'
import type { Actor } from '../../domain/types.js'
import { deciderSpec } from '../support/decider-spec.js'

const ADMIN: Actor = { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }
const TPE_ADMIN: Actor = { role: 'bureau_admin', id: 'TPE-A001', via: 'staff-card', county: '63' }
const REVIEWER: Actor = { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' }
const NOW = '2024-02-20T02:00:00.000Z'

const accounts = deciderSpec<AccountState, AccountEvent, AccountCommand, AccountContext>({ initialState: initialAccountState, evolve: evolveAccount, decide: decideAccount })
const profile = (over: Partial<AccountProfile> = {}): AccountProfile => ({
  name: '周文華', agency: '臺北市政府衛生局', county: '63', role: 'reviewer', certificates: [{ issuerDn: 'C=TW, O=GCA', serialHex: '00AB12' }], ...over,
})
const created: AccountEvent = { type: 'AccountCreated', data: { accountId: 'TPE-R001', profile: { ...profile(), certificates: [{ issuerDn: 'C=TW,O=GCA', serialHex: 'ab12' }] }, reason: '新進' } }

t.test('accounts', async (t) => {
  t.test('a MOHW admin creates any account; certificates normalised', async (t) => {
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'TPE-R001', profile: profile(), reason: ' 新進 ' } }, { actor: ADMIN }).then([created])
  })
  t.test('a bureau admin: own county reviewers and bureau admins only', async (t) => {
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile(), reason: 'r' } }, { actor: TPE_ADMIN }).thenMatch([{ type: 'AccountCreated' }])
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile({ county: '65' }), reason: 'r' } }, { actor: TPE_ADMIN }).thenFails('ACCOUNT_OUT_OF_SCOPE')
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile({ role: 'admin', county: null }), reason: 'r' } }, { actor: TPE_ADMIN }).thenFails('ACCOUNT_OUT_OF_SCOPE')
    // moving a 63 reviewer to 65 is outside their county too
    accounts(t).given(created).when({ type: 'ChangeAccount', data: { profile: profile({ county: '65' }), reason: 'r' } }, { actor: TPE_ADMIN }).thenFails('ACCOUNT_OUT_OF_SCOPE')
  })
  t.test('reviewers manage nothing', async (t) => {
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile(), reason: 'r' } }, { actor: REVIEWER }).thenFails('FORBIDDEN')
  })
  t.test('validation: county for county roles only, a certificate, a reason', async (t) => {
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile({ county: null }), reason: 'r' } }, { actor: ADMIN }).thenFails('ACCOUNT_INVALID', { field: 'county' })
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile({ role: 'statistician' }), reason: 'r' } }, { actor: ADMIN }).thenFails('ACCOUNT_INVALID', { field: 'county' })
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile({ certificates: [] }), reason: 'r' } }, { actor: ADMIN }).thenFails('ACCOUNT_INVALID', { field: 'certificates' })
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile({ certificates: [{ issuerDn: 'C=TW', serialHex: 'xyz' }] }), reason: 'r' } }, { actor: ADMIN }).thenFails('ACCOUNT_INVALID', { field: 'certificates' })
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'bad id!', profile: profile(), reason: 'r' } }, { actor: ADMIN }).thenFails('ACCOUNT_INVALID', { field: 'accountId' })
    accounts(t).given().when({ type: 'CreateAccount', data: { accountId: 'X1', profile: profile(), reason: '  ' } }, { actor: ADMIN }).thenFails('REASON_REQUIRED')
    accounts(t).given(created).when({ type: 'CreateAccount', data: { accountId: 'TPE-R001', profile: profile(), reason: 'r' } }, { actor: ADMIN }).thenFails('ACCOUNT_EXISTS')
  })
  t.test('change names what changed; nothing changed decides nothing', async (t) => {
    accounts(t).given(created).when({ type: 'ChangeAccount', data: { profile: profile({ county: '68', agency: '桃園市政府衛生局' }), reason: '調職' } }, { actor: ADMIN })
      .thenMatch([{ type: 'AccountChanged', data: { changed: ['agency', 'county'], reason: '調職' } }])
    accounts(t).given(created).when({ type: 'ChangeAccount', data: { profile: profile({ certificates: [{ issuerDn: 'C=TW,O=GCA', serialHex: 'AB12' }] }), reason: 'x' } }, { actor: ADMIN }).then([])
  })
  t.test('disabled, never deleted; enabled again; no disabling oneself', async (t) => {
    const off: AccountEvent = { type: 'AccountDisabled', data: { accountId: 'TPE-R001', reason: '離職' } }
    accounts(t).given(created).when({ type: 'DisableAccount', data: { reason: '離職' } }, { actor: ADMIN }).then([off])
    t.match(accounts(t).given(created, off).state(), { exists: true, disabled: true, profile: { name: '周文華' } })
    accounts(t).given(created, off).when({ type: 'DisableAccount', data: { reason: '離職' } }, { actor: ADMIN }).then([], 'already disabled: nothing')
    accounts(t).given(created, off).when({ type: 'EnableAccount', data: { reason: '復職' } }, { actor: ADMIN }).thenMatch([{ type: 'AccountEnabled' }])
    accounts(t).given(created).when({ type: 'DisableAccount', data: { reason: 'x' } }, { actor: { ...ADMIN, id: 'TPE-R001' } }).thenFails('ACCOUNT_INVALID')
  })
  t.test('certificate keys', async (t) => {
    t.equal(certificateKey({ issuerDn: 'C=TW, O=GCA ', serialHex: '000AB' }), certificateKey({ issuerDn: 'C=TW,O=GCA', serialHex: 'ab' }))
    t.not(certificateKey({ subjectDn: 'C=TW,CN=x' }), certificateKey({ issuerDn: 'C=TW,CN=x', serialHex: '1' }))
  })
})

const rules = deciderSpec<RuleSetState, RuleVersionPublished, PublishRuleVersion, RuleSetContext>({ initialState: initialRuleSetState, evolve: evolveRuleSet, decide: decideRuleSet })
const SYSTEM: Actor = { role: 'system', id: 'system', via: 'system' }
const first: RuleVersionPublished = { type: 'RuleVersionPublished', data: { name: 'routing', versionId: 'routing-1', effectiveFrom: '1911-01-01T00:00:00.000Z', reason: '初始', content: { ...FIRST_VERSIONS.routing.content, version: 'routing-1' } } }
const next = { default: 'supported', byProfession: { A: 'home' } }

t.test('rule versions', async (t) => {
  t.test('the system publishes the first version; afterwards only the MOHW admin, from now on', async (t) => {
    rules(t).given().when({ type: 'PublishRuleVersion', data: { name: 'routing', versionId: 'routing-1', effectiveFrom: '1911-01-01T00:00:00.000Z', reason: '初始', content: FIRST_VERSIONS.routing.content } }, { actor: SYSTEM, now: NOW }).then([first])
    rules(t).given(first).when({ type: 'PublishRuleVersion', data: { name: 'routing', effectiveFrom: '2024-03-01T00:00:00+08:00', reason: '改', content: next } }, { actor: SYSTEM, now: NOW }).thenFails('FORBIDDEN')
    rules(t).given(first).when({ type: 'PublishRuleVersion', data: { name: 'routing', effectiveFrom: '2024-03-01T00:00:00+08:00', reason: '改', content: next } }, { actor: TPE_ADMIN, now: NOW }).thenFails('FORBIDDEN')
    rules(t).given(first).when({ type: 'PublishRuleVersion', data: { name: 'routing', effectiveFrom: '2024-02-01T00:00:00+08:00', reason: '改', content: next } }, { actor: ADMIN, now: NOW }).thenFails('RULE_EFFECTIVE_IN_PAST')
    rules(t).given(first).when({ type: 'PublishRuleVersion', data: { name: 'routing', effectiveFrom: '2024-03-01T00:00:00+08:00', reason: '改', content: { default: 'nowhere' } } }, { actor: ADMIN, now: NOW }).thenFails('RULE_VERSION_INVALID')
    rules(t).given(first).when({ type: 'PublishRuleVersion', data: { name: 'routing', versionId: 'routing-1', effectiveFrom: '2024-03-01T00:00:00+08:00', reason: '改', content: next } }, { actor: ADMIN, now: NOW }).thenFails('RULE_VERSION_INVALID', { field: 'versionId' })
    rules(t).given(first).when({ type: 'PublishRuleVersion', data: { name: 'routing', effectiveFrom: '2024-03-01T00:00:00+08:00', reason: '改', content: next } }, { actor: ADMIN, now: NOW })
      .then([{ type: 'RuleVersionPublished', data: { name: 'routing', versionId: 'routing-2', effectiveFrom: '2024-02-29T16:00:00.000Z', reason: '改', content: { ...next, version: 'routing-2' } } }])
  })
  t.test('the version in force at an instant; the rule as data routes', async (t) => {
    const second: RuleVersionPublished = { type: 'RuleVersionPublished', data: { name: 'routing', versionId: 'routing-2', effectiveFrom: '2024-02-29T16:00:00.000Z', reason: '改', content: { ...next, version: 'routing-2' } } }
    const s = rules(t).given(first, second).state()
    t.equal(inForce(s.versions, '2024-02-29T15:59:59.999Z')?.versionId, 'routing-1')
    t.equal(inForce(s.versions, '2024-02-29T16:00:00.000Z')?.versionId, 'routing-2')
    const physician = { profession: 'A', home: { code: '0163010001', name: 'x', county: '63' } }
    t.equal(routeReport(physician, { county: '65' }, inForce(s.versions, '2024-02-01T00:00:00Z')!.content as never).reviewCounty, '65')
    t.equal(routeReport(physician, { county: '65' }, inForce(s.versions, '2024-03-02T00:00:00Z')!.content as never).reviewCounty, '63')
  })
})

const site = deciderSpec<SitePageState, SitePageEvent, SitePageCommand, { actor: Actor }>({ initialState: initialSitePageState, evolve: evolveSitePage, decide: decideSitePage })
t.test('site pages: MOHW admin only, validated, idempotent edits', async (t) => {
  const page = { pageId: 'p1', kind: 'news' as const, title: '公告', body: '內容', publishedOn: '2024-03-01' }
  site(t).given().when({ type: 'PublishSitePage', data: page }, { actor: TPE_ADMIN }).thenFails('FORBIDDEN')
  site(t).given().when({ type: 'PublishSitePage', data: { ...page, title: ' ' } }, { actor: ADMIN }).thenFails('VALIDATION_FAILED')
  const published: SitePageEvent = { type: 'SitePagePublished', data: page }
  site(t).given().when({ type: 'PublishSitePage', data: page }, { actor: ADMIN }).then([published])
  site(t).given(published).when({ type: 'PublishSitePage', data: page }, { actor: ADMIN }).then([], 'the same content again: nothing')
  site(t).given(published).when({ type: 'WithdrawSitePage', data: { reason: '過時' } }, { actor: ADMIN }).then([{ type: 'SitePageWithdrawn', data: { pageId: 'p1', reason: '過時' } }])
})
