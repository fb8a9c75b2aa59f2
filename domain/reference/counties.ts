// The 22 counties/cities (縣市) with our stable two-digit codes, and a few districts each (data, extend freely).
// Codes: the six special municipalities keep their well-known 63–68; the other counties use the last two digits of
// the interior ministry's county code (10002 宜蘭縣 → '02'); 金門縣 and 連江縣 (福建省) are given '71' and '72'.
import type { CountyCode } from '../types.js'

export interface District {
  name: string
  zip: string // 3-digit postal code (not unique inside 新竹市/嘉義市; use the name as the key)
}

export interface County {
  code: CountyCode
  name: string
  bureau: string // 衛生局
  districts: readonly District[]
}

const d = (...pairs: [string, string][]): District[] => pairs.map(([name, zip]) => ({ name, zip }))

export const COUNTIES: readonly County[] = [
  { code: '63', name: '臺北市', bureau: '臺北市政府衛生局', districts: d(['中正區', '100'], ['大同區', '103'], ['中山區', '104'], ['松山區', '105'], ['大安區', '106'], ['萬華區', '108'], ['信義區', '110'], ['士林區', '111'], ['北投區', '112'], ['內湖區', '114'], ['南港區', '115'], ['文山區', '116']) },
  { code: '65', name: '新北市', bureau: '新北市政府衛生局', districts: d(['板橋區', '220'], ['三重區', '241'], ['中和區', '235'], ['永和區', '234'], ['新莊區', '242'], ['新店區', '231'], ['淡水區', '251'], ['汐止區', '221']) },
  { code: '68', name: '桃園市', bureau: '桃園市政府衛生局', districts: d(['桃園區', '330'], ['中壢區', '320'], ['平鎮區', '324'], ['八德區', '334'], ['龜山區', '333']) },
  { code: '66', name: '臺中市', bureau: '臺中市政府衛生局', districts: d(['中區', '400'], ['北屯區', '406'], ['西屯區', '407'], ['南屯區', '408'], ['大里區', '412'], ['豐原區', '420']) },
  { code: '67', name: '臺南市', bureau: '臺南市政府衛生局', districts: d(['中西區', '700'], ['東區', '701'], ['永康區', '710'], ['新營區', '730']) },
  { code: '64', name: '高雄市', bureau: '高雄市政府衛生局', districts: d(['新興區', '800'], ['前金區', '801'], ['苓雅區', '802'], ['三民區', '807'], ['左營區', '813'], ['鳳山區', '830']) },
  { code: '02', name: '宜蘭縣', bureau: '宜蘭縣政府衛生局', districts: d(['宜蘭市', '260'], ['羅東鎮', '265']) },
  { code: '04', name: '新竹縣', bureau: '新竹縣政府衛生局', districts: d(['竹北市', '302'], ['竹東鎮', '310']) },
  { code: '05', name: '苗栗縣', bureau: '苗栗縣政府衛生局', districts: d(['苗栗市', '360'], ['頭份市', '351']) },
  { code: '07', name: '彰化縣', bureau: '彰化縣衛生局', districts: d(['彰化市', '500'], ['員林市', '510']) },
  { code: '08', name: '南投縣', bureau: '南投縣政府衛生局', districts: d(['南投市', '540'], ['埔里鎮', '545']) },
  { code: '09', name: '雲林縣', bureau: '雲林縣衛生局', districts: d(['斗六市', '640'], ['虎尾鎮', '632']) },
  { code: '10', name: '嘉義縣', bureau: '嘉義縣衛生局', districts: d(['太保市', '612'], ['朴子市', '613']) },
  { code: '13', name: '屏東縣', bureau: '屏東縣政府衛生局', districts: d(['屏東市', '900'], ['潮州鎮', '920']) },
  { code: '14', name: '臺東縣', bureau: '臺東縣衛生局', districts: d(['臺東市', '950'], ['成功鎮', '961']) },
  { code: '15', name: '花蓮縣', bureau: '花蓮縣衛生局', districts: d(['花蓮市', '970'], ['吉安鄉', '973']) },
  { code: '16', name: '澎湖縣', bureau: '澎湖縣政府衛生局', districts: d(['馬公市', '880'], ['湖西鄉', '885']) },
  { code: '17', name: '基隆市', bureau: '基隆市衛生局', districts: d(['仁愛區', '200'], ['中正區', '202'], ['信義區', '201']) },
  { code: '18', name: '新竹市', bureau: '新竹市衛生局', districts: d(['東區', '300'], ['北區', '300'], ['香山區', '300']) },
  { code: '20', name: '嘉義市', bureau: '嘉義市政府衛生局', districts: d(['東區', '600'], ['西區', '600']) },
  { code: '71', name: '金門縣', bureau: '金門縣衛生局', districts: d(['金城鎮', '893'], ['金湖鎮', '891']) },
  { code: '72', name: '連江縣', bureau: '連江縣衛生福利局', districts: d(['南竿鄉', '209'], ['北竿鄉', '210']) },
]

const BY_CODE = new Map(COUNTIES.map((c) => [c.code, c]))
export const isCounty = (code: string): boolean => BY_CODE.has(code)
export const countyOf = (code: string): County | undefined => BY_CODE.get(code)
export const countyName = (code: string): string | undefined => BY_CODE.get(code)?.name
export const isDistrictOf = (county: string, district: string): boolean =>
  BY_CODE.get(county)?.districts.some((x) => x.name === district) ?? false
