import t from 'tap'
import { COUNTIES, countyName, isCounty, isDistrictOf } from '../../domain/reference/counties.js'
import { DEPARTMENTS, departmentName, isDepartment } from '../../domain/reference/departments.js'
import { assertInstitutionCode, isInstitutionCode } from '../../domain/reference/institution-code.js'
import { DEFAULT_PUBLIC_HEALTH_CODE, makeProfessions, PROFESSIONS, professionName } from '../../domain/reference/professions.js'
import { isPurpose, PURPOSES, purposeName } from '../../domain/reference/purposes.js'

t.test('28 professions, 公共衛生師 configurable', async (t) => {
  t.equal(PROFESSIONS.length, 28)
  t.equal(new Set(PROFESSIONS.map((p) => p.code)).size, 28)
  t.equal(professionName('A'), '西醫師')
  t.equal(professionName('6'), '驗光生')
  t.equal(professionName(DEFAULT_PUBLIC_HEALTH_CODE), '公共衛生師')
  t.same(makeProfessions('0').at(-1), { code: '0', name: '公共衛生師', configurable: true })
  t.throws(() => makeProfessions('A'))
  t.equal(professionName('L'), undefined)
})

t.test('departments, purposes, counties', async (t) => {
  t.ok(DEPARTMENTS.every((d) => /^[0-9A-Z]{2}$/.test(d.code)))
  t.equal(new Set(DEPARTMENTS.map((d) => d.code)).size, DEPARTMENTS.length)
  t.equal(departmentName('40'), '牙科')
  t.equal(departmentName('AK'), '老人醫學科')
  t.ok(isDepartment('BD'))
  t.notOk(isDepartment('99'))
  t.equal(PURPOSES.length, 9)
  t.ok(isPurpose('07'))
  t.equal(purposeName('04'), '值班')
  t.equal(COUNTIES.length, 22)
  t.equal(new Set(COUNTIES.map((c) => c.code)).size, 22)
  t.equal(countyName('63'), '臺北市')
  t.equal(countyName('68'), '桃園市')
  t.ok(isCounty('72'))
  t.notOk(isCounty('10002'))
  t.ok(isDistrictOf('63', '大安區'))
  t.notOk(isDistrictOf('65', '大安區'))
})

t.test('institution code shape only', async (t) => {
  t.ok(isInstitutionCode('0163010001'))
  t.notOk(isInstitutionCode('016301000'))
  t.notOk(isInstitutionCode('01630100 1'))
  t.equal(assertInstitutionCode(' 3563020002 '), '3563020002')
  t.throws(() => assertInstitutionCode('abc'), { code: 'INVALID_INSTITUTION_CODE' })
})
