// Country inputs: ISO 3166-1 alpha-2 codes (Kosovo: XK), with the country's name in the
// reader's language from Intl.DisplayNames as suggestions and as a hint.
import { COUNTRY } from '../domain.js'
import { countryName, t } from '../i18n.js'
import { Field, html } from '../ui.js'

// Codes in the order officers in the region meet them most, then the rest of ISO 3166-1.
const CODES = ('AL XK MK ME RS GR IT TR BG RO HR BA SI HU AT DE FR NL BE CH GB ES PT PL CZ SK UA MD CN IN AE IR RU US ' +
  'AD AF AG AI AM AO AR AU AZ BB BD BF BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CI CL CM CO CR CU CV CY DJ DK DM DO DZ EC EE EG ER ET FI FJ ' +
  'GA GD GE GH GM GN GQ GT GW GY HK HN HT ID IE IL IQ IS JM JO JP KE KG KH KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MG MH ML MM MN ' +
  'MR MT MU MV MW MX MY MZ NA NE NG NI NO NP NZ OM PA PE PG PH PK PS PY QA RW SA SB SC SD SE SG SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO ' +
  'TT TW TZ UG UY UZ VA VC VE VN VU WS YE ZA ZM ZW').split(' ')

/** One datalist of countries for the whole form (inputs refer to it by id). */
export function CountryList () {
  return html`<datalist id="countries">${CODES.map((c) => html`<option key=${c} value=${c}>${countryName(c)}</option>`)}</datalist>`
}

export function CountryField ({ label, name, value, onValue }) {
  const v = value.trim()
  const valid = COUNTRY.test(v) || /^[A-Z]?$/.test(v)
  const known = v !== '' && valid && countryName(v) !== v
  return html`<${Field} label=${label} name=${name} value=${value} onValue=${(x) => onValue(x.toUpperCase().slice(0, 2))}
    list="countries" maxlength="2" autocapitalize="characters" autocomplete="off" spellcheck=${false}
    check=${valid ? null : t('country.invalid')} ok=${known}
    hint=${known ? countryName(v) : t('country.hint')} />`
}
