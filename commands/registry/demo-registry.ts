// Demo reference data: fictitious institutions, professionals and bureau staff (valid ID checksums, made-up people).
// County codes follow domain/reference/counties.ts: 63 臺北市, 65 新北市, 68 桃園市.
import type { RegistryInstitution, RegistryProfessional, RegistryStaff } from './registry.js'

export const DEMO_INSTITUTIONS: RegistryInstitution[] = [
  { code: '0163010001', name: '示範大學附設醫院', county: '63', district: '中正區', kind: 'medical_center', ownPhysicians: 820, ownPharmacists: 90, weeklySessions: 2400 },
  { code: '3563020002', name: '仁愛家醫診所', county: '63', district: '大安區', kind: 'clinic', ownPhysicians: 1, ownPharmacists: 0, weeklySessions: 12 },
  { code: '5963030005', name: '安心藥局', county: '63', district: '信義區', kind: 'pharmacy', ownPhysicians: 0, ownPharmacists: 1, weeklySessions: 0 },
  { code: '9963000008', name: '臺北市護理師護士公會', county: '63', district: '中山區', kind: 'association' },
  { code: '0165020004', name: '新北示範醫院', county: '65', district: '新店區', kind: 'regional_hospital', ownPhysicians: 210, ownPharmacists: 25, weeklySessions: 700 },
  { code: '3565010003', name: '板橋康健診所', county: '65', district: '板橋區', kind: 'clinic', ownPhysicians: 2, ownPharmacists: 0, weeklySessions: 18 },
  { code: '5965040006', name: '永和好藥局', county: '65', district: '永和區', kind: 'pharmacy', ownPhysicians: 0, ownPharmacists: 1, weeklySessions: 0 },
  { code: '3568050007', name: '桃園青埔診所', county: '68', district: '中壢區', kind: 'clinic', ownPhysicians: 1, ownPharmacists: 0, weeklySessions: 10 },
]

export const DEMO_PROFESSIONALS: RegistryProfessional[] = [
  { nationalId: 'A123456789', name: '王大明', profession: 'A', department: '02', licenseNumber: '醫字第012345號', licenseValidFrom: '2020-01-01', licenseValidTo: '2031-12-31', practiceStatus: 'active', homeInstitutionCode: '0163010001', phone: '0912345678', nhiCardNumber: '000012345678', birthDate: '1980-05-12', sex: 'M' },
  { nationalId: 'A223456012', name: '林美玲', profession: 'D', department: '00', licenseNumber: '藥字第034567號', licenseValidFrom: '2019-07-01', licenseValidTo: '2031-06-30', practiceStatus: 'active', homeInstitutionCode: '5963030005', phone: '0922333444', nhiCardNumber: '000023456789', birthDate: '1985-11-03', sex: 'F' },
  { nationalId: 'F122334458', name: '陳志豪', profession: 'A', department: '01', licenseNumber: '醫字第045678號', licenseValidFrom: '2018-03-01', licenseValidTo: '2030-02-28', practiceStatus: 'active', homeInstitutionCode: '0165020004', phone: '0933444555', nhiCardNumber: '000034567890', birthDate: '1978-01-20', sex: 'M' },
  { nationalId: 'B120887765', name: '黃建國', profession: 'A', department: '03', licenseNumber: '醫字第056789號', licenseValidFrom: '2015-01-01', licenseValidTo: '2030-12-31', practiceStatus: 'suspended', homeInstitutionCode: '0163010001', phone: '0944555666', nhiCardNumber: '000045678901', birthDate: '1970-09-09', sex: 'M' },
  { nationalId: 'H220112234', name: '陳怡君', profession: 'F', department: '00', licenseNumber: '護字第067890號', licenseValidFrom: '2021-01-01', licenseValidTo: '2032-12-31', practiceStatus: 'active', homeInstitutionCode: '9963000008', phone: '0955666777', nhiCardNumber: '000056789012', birthDate: '1992-02-29', sex: 'F' },
  { nationalId: 'A212345679', name: '吳佩珊', profession: 'F', department: '00', licenseNumber: '護字第078901號', licenseValidFrom: '2020-06-01', licenseValidTo: '2032-05-31', practiceStatus: 'active', homeInstitutionCode: '0163010001', phone: '0966777888', nhiCardNumber: '000067890123', birthDate: '1990-07-15', sex: 'F' },
  { nationalId: 'E109908762', name: '李承翰', profession: 'C', department: '40', licenseNumber: '牙字第089012號', licenseValidFrom: '2017-01-01', licenseValidTo: '2029-12-31', practiceStatus: 'active', homeInstitutionCode: '3565010003', phone: '0977888999', nhiCardNumber: '000078901234', birthDate: '1983-04-01', sex: 'M' },
  { nationalId: 'K219876541', name: '張雅婷', profession: 'D', department: '00', licenseNumber: '藥字第090123號', licenseValidFrom: '2022-01-01', licenseValidTo: '2033-12-31', practiceStatus: 'active', homeInstitutionCode: '5965040006', phone: '0988999000', nhiCardNumber: '000089012345', birthDate: '1995-12-24', sex: 'F' },
  { nationalId: 'Q134567894', name: '劉冠宇', profession: 'A', department: '04', licenseNumber: '醫字第101234號', licenseValidFrom: '2016-01-01', licenseValidTo: '2031-12-31', practiceStatus: 'active', homeInstitutionCode: '0163010001', phone: '0911222333', nhiCardNumber: '000090123456', birthDate: '1982-08-08', sex: 'M' },
]

export const DEMO_STAFF: RegistryStaff[] = [
  { staffId: 'TPE-R001', name: '周文華', role: 'reviewer', county: '63', agency: '臺北市政府衛生局' },
  { staffId: 'NTP-R001', name: '鄭淑惠', role: 'reviewer', county: '65', agency: '新北市政府衛生局' },
  { staffId: 'TYN-R001', name: '許家豪', role: 'reviewer', county: '68', agency: '桃園市政府衛生局' },
  { staffId: 'MOHW-S001', name: '蔡明哲', role: 'statistician', county: null, agency: '衛生福利部' },
]
