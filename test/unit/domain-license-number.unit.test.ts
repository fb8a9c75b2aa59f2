// 執業執照 字號 and 第號 as the seed's profile shows them.
import t from 'tap'
import { licenseParts } from '../../domain/reference/license-number.js'

t.same(licenseParts('醫字第012345號'), { word: '醫字', number: '第012345號' })
t.same(licenseParts('新北府板衛藥師執字第X220477731號'), { word: '新北府板衛藥師執字', number: '第X220477731號' })
t.same(licenseParts(' 北市衛醫字 '), { word: '北市衛醫字', number: '' }, 'no 第…號: all of it is the 字號')
t.same(licenseParts(''), { word: '', number: '' })
