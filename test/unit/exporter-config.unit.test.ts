// The exporter's configuration: EXPORT_AT (daily run, HH:MM Asia/Taipei) and EXPORT_START_DAY (ROC yyyMMdd), each
// validated at start-up with an error that names the variable.
import t from 'tap'
import { loadConfig } from '../../commands/platform/config.js'
import { exportStartDay } from '../../exporter/export-runtime.js'

t.test('defaults: 01:00, no start day (the day of the first event)', async (t) => {
  const c = loadConfig({})
  t.equal(c.EXPORT_AT, '01:00')
  t.equal(c.EXPORT_START_DAY, undefined)
  t.equal(exportStartDay(c), undefined)
})

t.test('good values', async (t) => {
  const c = loadConfig({ EXPORT_AT: '23:30', EXPORT_START_DAY: '1130229' })
  t.equal(c.EXPORT_AT, '23:30')
  t.equal(exportStartDay(c), '2024-02-29', 'ROC 113-02-29 is a leap day')
})

t.test('bad values name the variable', async (t) => {
  for (const v of ['1:00', '24:00', '01:60', '0100', 'noon']) {
    t.throws(() => loadConfig({ EXPORT_AT: v }), { name: 'ConfigError', variable: 'EXPORT_AT' }, v)
  }
  for (const v of ['2024-03-01', '113031', '1130230', '1131301', '0000101']) {
    t.throws(() => loadConfig({ EXPORT_START_DAY: v }), { name: 'ConfigError', variable: 'EXPORT_START_DAY', message: /EXPORT_START_DAY/ }, v)
  }
  t.throws(() => loadConfig({ EXPORT_DAILY_AT: '02:00' }), { name: 'ConfigError', variable: 'EXPORT_DAILY_AT', message: /EXPORT_AT/ }, 'the old name is not silently ignored')
})
