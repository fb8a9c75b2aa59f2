// parseDateInput: the one parser of dates typed into forms (ROC compact, ROC with separators, Gregorian).
import t from 'tap'
import { describeRocDate, parseDateInput } from '../../domain/roc-date.js'

t.test('the ways people type a date all read as the same day', async (t) => {
  for (const typed of ['1160104', '116/01/04', '116/1/4', '116-01-04', '116.01.04', '2027/01/04', '2027-01-04', '2027/1/4', '20270104', ' 1160104 ']) {
    t.equal(parseDateInput(typed), '2027-01-04', typed)
  }
  t.equal(parseDateInput('990104'), '2010-01-04', 'six digits: 民國 99')
  t.equal(parseDateInput('99/01/04'), '2010-01-04')
})

t.test('not a date: undefined, never a guess or a cut-short value', async (t) => {
  for (const typed of ['', '116/02/30', '2027/13/01', '11601041', '116/01', '1911/01/01', 'abc', '116/01/04/05', '1'.repeat(13), '0/01/04']) {
    t.equal(parseDateInput(typed), undefined, JSON.stringify(typed))
  }
})

t.test('what was understood, in ROC words with the weekday', async (t) => {
  t.equal(describeRocDate('2027-01-04'), '民國116年1月4日（星期一）')
})
