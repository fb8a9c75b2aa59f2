// 支援科別: the NHI consultation-department codes (健保署 就醫科別, 2022-08-02 list). Data, two characters each.
export interface Department {
  code: string
  name: string
}

export const DEPARTMENTS: readonly Department[] = [
  { code: '00', name: '不分科' }, { code: '01', name: '家醫科' }, { code: '02', name: '內科' },
  { code: '03', name: '外科' }, { code: '04', name: '兒科' }, { code: '05', name: '婦產科' },
  { code: '06', name: '骨科' }, { code: '07', name: '神經外科' }, { code: '08', name: '泌尿科' },
  { code: '09', name: '耳鼻喉科' }, { code: '10', name: '眼科' }, { code: '11', name: '皮膚科' },
  { code: '12', name: '神經科' }, { code: '13', name: '精神科' }, { code: '14', name: '復健科' },
  { code: '15', name: '整形外科' }, { code: '22', name: '急診醫學科' }, { code: '23', name: '職業醫學科' },
  { code: '2A', name: '結核科' }, { code: '2B', name: '洗腎科' }, { code: '40', name: '牙科' },
  { code: '60', name: '中醫科' }, { code: '81', name: '麻醉科' }, { code: '82', name: '放射線科' },
  { code: '83', name: '病理科' }, { code: '84', name: '核醫科' },
  { code: 'AA', name: '消化內科' }, { code: 'AB', name: '心臟血管內科' }, { code: 'AC', name: '胸腔內科' },
  { code: 'AD', name: '腎臟內科' }, { code: 'AE', name: '風濕免疫科' }, { code: 'AF', name: '血液腫瘤科' },
  { code: 'AG', name: '內分泌科' }, { code: 'AH', name: '感染科' }, { code: 'AI', name: '潛醫科' },
  { code: 'AJ', name: '胸腔暨重症加護' }, { code: 'AK', name: '老人醫學科' },
  { code: 'BA', name: '直腸外科' }, { code: 'BB', name: '心臟血管外科' }, { code: 'BC', name: '胸腔外科' },
  { code: 'BD', name: '消化外科' }, { code: 'CA', name: '小兒外科' }, { code: 'CB', name: '新生兒科' },
  { code: 'DA', name: '疼痛科' }, { code: 'EA', name: '居家照護' }, { code: 'FA', name: '放射診斷科' },
  { code: 'FB', name: '放射腫瘤科' }, { code: 'GA', name: '口腔顏面外科' }, { code: 'HA', name: '脊椎骨科' },
  { code: 'TB', name: '肺結核' },
]

const BY_CODE = new Map(DEPARTMENTS.map((d) => [d.code, d]))
export const isDepartment = (code: string): boolean => BY_CODE.has(code)
export const departmentName = (code: string): string | undefined => BY_CODE.get(code)?.name
