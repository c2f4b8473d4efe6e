// Seizures: the list with search, the recording form (facts, place, route, parties, goods with
// HS code and control-list checks as you type), and a seizure's page with its exhibits and files.
import { useState } from 'preact/hooks'
import { get, id as enc, post, query } from '../api.js'
import {
  AMOUNT, can, CONTROL_ENTRY, COUNTRY, CURRENCY, DETECTION_METHODS, DIRECTIONS, EVIDENCE_WRITERS, HS_CODE, ITEM_CATEGORIES, LICENCE_STATUSES,
  LOCODE, normaliseHs, PARTY_KINDS, PARTY_ROLES, PLACE_TYPES, REGIMES, SEXES, TRANSPORT_MODES, UNIT, UNITS
} from '../domain.js'
import { Files } from '../files.js'
import { countryName, fmtNumber, label, t } from '../i18n.js'
import { Person } from '../people.js'
import { navigate } from '../store.js'
import {
  Badge, Empty, enumOptions, ErrorSummary, Facts, Field, Form, html, Link, LoadError, Loading, PageTitle, Section, useForm, useLoad, When
} from '../ui.js'
import { CountryList, CountryField } from './countries.js'

// ---------------------------------------------------------------- list

export function SeizureList ({ user }) {
  const [filters, setFilters] = useState({ q: '', from: '', to: '', hsCode: '', party: '' })
  const [applied, setApplied] = useState(filters)
  const [pages, setPages] = useState([])
  const list = useLoad(async (signal) => {
    const page = await get(`/api/seizures${query({ ...applied, limit: 25 })}`, { signal })
    setPages([page])
    return page
  }, [JSON.stringify(applied)])
  const more = async () => {
    const last = pages[pages.length - 1]
    const page = await get(`/api/seizures${query({ ...applied, limit: 25, cursor: last.nextCursor })}`)
    setPages([...pages, page])
  }
  const rows = pages.flatMap((p) => p.items)
  const set = (k) => (v) => setFilters({ ...filters, [k]: v })
  return html`
    <${PageTitle} text=${t('seizures.title')} />
    ${can(user, 'seizure.create') && html`<p><${Link} to="/seizures/new" class="button primary">${t('nav.newSeizure')}<//></p>`}
    <${Form} form=${useForm()} class="filters" label=${t('common.search')} onSubmit=${() => setApplied(filters)}>
      <${Field} label=${t('seizures.search')} name="q" type="search" value=${filters.q} onValue=${set('q')} placeholder=${t('seizures.searchHint')} span />
      <${Field} label=${t('common.from')} name="from" type="date" value=${filters.from} onValue=${set('from')} />
      <${Field} label=${t('common.to')} name="to" type="date" value=${filters.to} onValue=${set('to')} />
      <${Field} label=${t('goods.hsCode')} name="hsCode" inputmode="numeric" value=${filters.hsCode} onValue=${set('hsCode')} />
      <${Field} label=${t('seizures.partyName')} name="party" value=${filters.party} onValue=${set('party')} />
      <div class="filter-actions"><button type="submit" class="primary">${t('common.search')}</button></div>
    <//>
    ${list.error !== null && html`<${LoadError} error=${list.error} retry=${list.reload} />`}
    ${list.loading && rows.length === 0 && html`<${Loading} />`}
    ${!list.loading && list.error === null && rows.length === 0 && html`<${Empty}>${t(Object.values(applied).some((v) => v !== '') ? 'seizures.none' : 'seizures.noneYet')}<//>`}
    ${rows.length > 0 && html`<table class="rows">
      <caption class="visually-hidden">${t('seizures.title')}</caption>
      <thead><tr><th scope="col">${t('seizures.reference')}</th><th scope="col">${t('seizures.occurredAt')}</th><th scope="col">${t('place.title')}</th><th scope="col">${t('seizures.movement')}</th><th scope="col">${t('goods.title')}</th></tr></thead>
      <tbody>${rows.map((s) => html`<tr key=${s.id}>
        <td data-label=${t('seizures.reference')} class="nowrap"><${Link} to=${`/seizures/${s.id}`}>${s.reference}<//></td>
        <td data-label=${t('seizures.occurredAt')}><${When} iso=${s.occurredAt} /></td>
        <td data-label=${t('place.title')}>${s.place.name}</td>
        <td data-label=${t('seizures.movement')}>${label('direction', s.direction)} · ${label('transportMode', s.transportMode)}</td>
        <td data-label=${t('goods.title')}>${s.goods.length === 0 ? html`<span class="muted">—</span>` : html`${s.goods[0].description}${s.goods.length > 1 ? ` (+${s.goods.length - 1})` : ''}
          ${s.goods.some((g) => g.strategic.controlled) && html` <span class="badge controlled">${t('goods.controlledShort')}</span>`}`}</td>
      </tr>`)}</tbody>
    </table>`}
    ${pages.length > 0 && pages[pages.length - 1].nextCursor !== null && html`<p><button type="button" class="secondary" onClick=${more}>${t('common.more')}</button></p>`}
  `
}

// ---------------------------------------------------------------- new seizure

const localNow = () => {
  const d = new Date()
  d.setSeconds(0, 0)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16)
}

const blankParty = () => ({ role: 'consignor', kind: 'organisation', name: '', country: '', identifier: '', address: '', nationality: '', sex: '', birthDate: '' })
const blankGoods = () => ({ description: '', hsCode: '', quantity: '', unit: 'NAR', amount: '', currency: 'EUR', controlled: false, regime: '', entry: '', licenceStatus: 'none', licenceNumber: '' })

/** The live HS code check: the message if wrong, else null. */
export function hsCheck (code) {
  if (code.trim() === '') return null
  return HS_CODE.test(normaliseHs(code)) ? null : t('goods.hsInvalid')
}

export function entryCheck (regime, entry) {
  if (entry.trim() === '' || regime === '') return null
  const format = CONTROL_ENTRY[regime]
  return format === undefined || format.pattern.test(entry.trim()) ? null : t('goods.entryInvalid', { regime: label('regime', regime), example: format.example })
}

const text = (v) => { const s = v.trim(); return s === '' ? null : s }
const upper = (v) => v.toUpperCase()

function seizureBody (f) {
  return {
    occurredAt: new Date(f.occurredAt).toISOString(),
    place: {
      name: f.placeName.trim(),
      ...(f.placeType === '' ? {} : { type: f.placeType }),
      locode: text(f.locode),
      lat: f.lat.trim() === '' ? null : Number(f.lat),
      lon: f.lon.trim() === '' ? null : Number(f.lon)
    },
    direction: f.direction,
    transportMode: f.transportMode,
    conveyance: text(f.conveyance),
    route: {
      origin: text(f.origin),
      destination: text(f.destination),
      transit: f.transit.split(/[\s,;]+/).filter((c) => c !== '')
    },
    detectionMethod: f.detectionMethod,
    concealment: text(f.concealment),
    legalBasis: text(f.legalBasis),
    narrative: text(f.narrative),
    parties: f.parties.map((p) => ({
      role: p.role,
      kind: p.kind,
      name: p.name.trim(),
      country: text(p.country),
      identifier: text(p.identifier),
      address: text(p.address),
      ...(p.kind === 'person' ? { nationality: text(p.nationality), sex: p.sex === '' ? null : p.sex, birthDate: text(p.birthDate) } : {})
    })),
    goods: f.goods.map((g) => ({
      description: g.description.trim(),
      hsCode: g.hsCode.trim(),
      quantity: Number(g.quantity),
      unit: g.unit.trim(),
      value: g.amount.trim() === '' ? null : { amount: g.amount.trim(), currency: g.currency.trim() },
      strategic: g.controlled ? { controlled: true, regime: g.regime === '' ? null : g.regime, entry: text(g.entry) } : { controlled: false },
      licence: { number: text(g.licenceNumber), status: g.licenceStatus }
    }))
  }
}

/** The checks the server makes too, run before sending so the officer sees them at once. */
function checkSeizure (f) {
  const e = {}
  const need = (path, v) => { if (String(v).trim() === '') e[path] = t('form.required') }
  need('occurredAt', f.occurredAt)
  if (f.occurredAt !== '' && Date.parse(f.occurredAt) > Date.now() + 5 * 60000) e.occurredAt = t('seizure.future')
  need('place/name', f.placeName)
  if (f.locode.trim() !== '' && !LOCODE.test(f.locode.trim())) e['place/locode'] = t('place.locodeInvalid')
  if ((f.lat.trim() === '') !== (f.lon.trim() === '')) e['place/lon'] = t('place.bothCoordinates')
  if (f.lat.trim() !== '' && !(Math.abs(Number(f.lat)) <= 90)) e['place/lat'] = t('place.latInvalid')
  if (f.lon.trim() !== '' && !(Math.abs(Number(f.lon)) <= 180)) e['place/lon'] = t('place.lonInvalid')
  need('direction', f.direction)
  need('transportMode', f.transportMode)
  need('detectionMethod', f.detectionMethod)
  for (const [path, v] of [['route/origin', f.origin], ['route/destination', f.destination]]) if (v.trim() !== '' && !COUNTRY.test(v.trim())) e[path] = t('country.invalid')
  if (f.transit.split(/[\s,;]+/).some((c) => c !== '' && !COUNTRY.test(c))) e['route/transit'] = t('country.invalidList')
  f.parties.forEach((p, i) => {
    need(`parties/${i}/name`, p.name)
    for (const k of ['country', 'nationality']) if (p[k].trim() !== '' && !COUNTRY.test(p[k].trim())) e[`parties/${i}/${k}`] = t('country.invalid')
  })
  f.goods.forEach((g, i) => {
    const at = `goods/${i}`
    need(`${at}/description`, g.description)
    need(`${at}/hsCode`, g.hsCode)
    const hs = hsCheck(g.hsCode)
    if (hs !== null) e[`${at}/hsCode`] = hs
    if (!(Number(g.quantity) > 0)) e[`${at}/quantity`] = t('goods.quantityInvalid')
    if (!UNIT.test(g.unit.trim())) e[`${at}/unit`] = t('goods.unitInvalid')
    if (g.amount.trim() !== '' && !AMOUNT.test(g.amount.trim())) e[`${at}/value/amount`] = t('goods.amountInvalid')
    if (g.amount.trim() !== '' && !CURRENCY.test(g.currency.trim())) e[`${at}/value/currency`] = t('goods.currencyInvalid')
    if (g.controlled) {
      if (g.regime === '') e[`${at}/strategic/regime`] = t('goods.regimeNeeded')
      if (g.entry.trim() === '') e[`${at}/strategic/entry`] = t('goods.entryNeeded')
      const entry = entryCheck(g.regime, g.entry)
      if (entry !== null) e[`${at}/strategic/entry`] = entry
    }
    if (g.licenceStatus !== 'none' && g.licenceNumber.trim() === '') e[`${at}/licence/number`] = t('goods.licenceNumberNeeded')
  })
  return e
}

export function SeizureNew () {
  const form = useForm()
  const [f, setF] = useState({
    occurredAt: localNow(), placeName: '', placeType: '', locode: '', lat: '', lon: '', direction: '', transportMode: '', detectionMethod: '',
    conveyance: '', origin: '', destination: '', transit: '', concealment: '', legalBasis: '', narrative: '', parties: [], goods: [blankGoods()]
  })
  const set = (k, map) => (v) => setF((prev) => ({ ...prev, [k]: map === undefined ? v : map(v) }))
  const setIn = (list, i, k, map) => (v) => setF((prev) => ({ ...prev, [list]: prev[list].map((x, j) => j === i ? { ...x, [k]: map === undefined ? v : map(v) } : x) }))
  const addTo = (list, blank) => setF((prev) => ({ ...prev, [list]: [...prev[list], blank()] }))
  const removeFrom = (list, i) => setF((prev) => ({ ...prev, [list]: prev[list].filter((_, j) => j !== i) }))

  const submit = () => {
    if (!form.valid(checkSeizure(f))) return
    return form.run(async () => {
      const created = await post('/api/seizures', seizureBody(f))
      navigate(`/seizures/${created.id}`, { notice: { kind: 'ok', text: t('seizure.recorded', { reference: created.reference }) } })
    })
  }

  return html`
    <${PageTitle} text=${t('nav.newSeizure')} sub=${t('seizure.newSub')} />
    <${Form} form=${form} onSubmit=${submit} label=${t('nav.newSeizure')}>
      <${CountryList} />
      <fieldset class="card">
        <legend>${t('seizure.facts')}</legend>
        <div class="grid">
          <${Field} label=${t('seizures.occurredAt')} name="occurredAt" type="datetime-local" value=${f.occurredAt} onValue=${set('occurredAt')} required />
          <${Field} label=${t('seizure.direction')} name="direction" type="select" value=${f.direction} onValue=${set('direction')} options=${enumOptions('direction', DIRECTIONS, t('form.choose'))} required />
          <${Field} label=${t('seizure.transportMode')} name="transportMode" type="select" value=${f.transportMode} onValue=${set('transportMode')} options=${enumOptions('transportMode', TRANSPORT_MODES, t('form.choose'))} required />
          <${Field} label=${t('seizure.detectionMethod')} name="detectionMethod" type="select" value=${f.detectionMethod} onValue=${set('detectionMethod')} options=${enumOptions('detectionMethod', DETECTION_METHODS, t('form.choose'))} required />
          <${Field} label=${t('seizure.conveyance')} name="conveyance" value=${f.conveyance} onValue=${set('conveyance')} hint=${t('seizure.conveyanceHint')} maxlength="200" />
          <${Field} label=${t('seizure.concealment')} name="concealment" value=${f.concealment} onValue=${set('concealment')} maxlength="1000" />
          <${Field} label=${t('seizure.legalBasis')} name="legalBasis" type="textarea" rows="2" value=${f.legalBasis} onValue=${set('legalBasis')} wide maxlength="1000" />
          <${Field} label=${t('seizure.narrative')} name="narrative" type="textarea" rows="5" value=${f.narrative} onValue=${set('narrative')} wide maxlength="20000" />
        </div>
      </fieldset>

      <fieldset class="card">
        <legend>${t('place.title')}</legend>
        <div class="grid">
          <${Field} label=${t('place.name')} name="place/name" value=${f.placeName} onValue=${set('placeName')} hint=${t('place.nameHint')} required maxlength="200" />
          <${Field} label=${t('place.type')} name="place/type" type="select" value=${f.placeType} onValue=${set('placeType')} options=${enumOptions('placeType', PLACE_TYPES, t('form.optional'))} />
          <${Field} label=${t('place.locode')} name="place/locode" value=${f.locode} onValue=${set('locode', upper)} hint=${t('place.locodeHint')} maxlength="6" autocapitalize="characters" />
          <${Field} label=${t('place.lat')} name="place/lat" inputmode="decimal" value=${f.lat} onValue=${set('lat')} hint="42.2376" />
          <${Field} label=${t('place.lon')} name="place/lon" inputmode="decimal" value=${f.lon} onValue=${set('lon')} hint="20.5497" />
        </div>
      </fieldset>

      <fieldset class="card">
        <legend>${t('route.title')}</legend>
        <div class="grid">
          <${CountryField} label=${t('route.origin')} name="route/origin" value=${f.origin} onValue=${set('origin')} />
          <${CountryField} label=${t('route.destination')} name="route/destination" value=${f.destination} onValue=${set('destination')} />
          <${Field} label=${t('route.transit')} name="route/transit" value=${f.transit} onValue=${set('transit', upper)} hint=${t('route.transitHint')} autocapitalize="characters" />
        </div>
      </fieldset>

      <fieldset class="card">
        <legend>${t('parties.title')}</legend>
        ${f.parties.length === 0 && html`<p class="muted">${t('parties.none')}</p>`}
        ${f.parties.map((p, i) => html`<fieldset class="sub" key=${i}>
          <legend>${t('parties.party', { n: i + 1 })}</legend>
          <div class="grid">
            <${Field} label=${t('parties.role')} name=${`parties/${i}/role`} type="select" value=${p.role} onValue=${setIn('parties', i, 'role')} options=${enumOptions('partyRole', PARTY_ROLES)} />
            <${Field} label=${t('parties.kind')} name=${`parties/${i}/kind`} type="select" value=${p.kind} onValue=${setIn('parties', i, 'kind')} options=${enumOptions('partyKind', PARTY_KINDS)} />
            <${Field} label=${t('parties.name')} name=${`parties/${i}/name`} value=${p.name} onValue=${setIn('parties', i, 'name')} required maxlength="200" />
            <${CountryField} label=${t('parties.country')} name=${`parties/${i}/country`} value=${p.country} onValue=${setIn('parties', i, 'country')} />
            <${Field} label=${t('parties.identifier')} name=${`parties/${i}/identifier`} value=${p.identifier} onValue=${setIn('parties', i, 'identifier')} hint=${t('parties.identifierHint')} maxlength="100" />
            <${Field} label=${t('parties.address')} name=${`parties/${i}/address`} value=${p.address} onValue=${setIn('parties', i, 'address')} maxlength="500" />
            ${p.kind === 'person' && html`
              <${CountryField} label=${t('parties.nationality')} name=${`parties/${i}/nationality`} value=${p.nationality} onValue=${setIn('parties', i, 'nationality')} />
              <${Field} label=${t('parties.sex')} name=${`parties/${i}/sex`} type="select" value=${p.sex} onValue=${setIn('parties', i, 'sex')} options=${enumOptions('sex', SEXES, t('form.optional'))} />
              <${Field} label=${t('parties.birthDate')} name=${`parties/${i}/birthDate`} type="date" value=${p.birthDate} onValue=${setIn('parties', i, 'birthDate')} />`}
          </div>
          <button type="button" class="link link-danger" onClick=${() => removeFrom('parties', i)}>${t('parties.remove', { n: i + 1 })}</button>
        </fieldset>`)}
        <button type="button" class="secondary" onClick=${() => addTo('parties', blankParty)}>${t('parties.add')}</button>
      </fieldset>

      <fieldset class="card">
        <legend>${t('goods.title')}</legend>
        ${f.goods.map((g, i) => html`<${GoodsLine} key=${i} g=${g} i=${i} setIn=${setIn} onRemove=${f.goods.length > 1 ? () => removeFrom('goods', i) : undefined} />`)}
        <button type="button" class="secondary" onClick=${() => addTo('goods', blankGoods)}>${t('goods.add')}</button>
      </fieldset>

      <${ErrorSummary} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled=${form.busy}>${form.busy ? t('common.saving') : t('seizure.submit')}</button>
        <${Link} to="/seizures" class="button secondary">${t('common.cancel')}<//>
      </div>
    <//>`
}

function GoodsLine ({ g, i, setIn, onRemove }) {
  const at = `goods/${i}`
  const hs = hsCheck(g.hsCode)
  const hsOk = g.hsCode.trim() !== '' && hs === null
  const entry = g.controlled ? entryCheck(g.regime, g.entry) : null
  const entryOk = g.controlled && g.regime !== '' && g.entry.trim() !== '' && entry === null
  const example = CONTROL_ENTRY[g.regime]?.example
  return html`<fieldset class="sub">
    <legend>${t('goods.line', { n: i + 1 })}</legend>
    <div class="grid">
      <${Field} label=${t('goods.description')} name=${`${at}/description`} value=${g.description} onValue=${setIn('goods', i, 'description')} required wide maxlength="1000" />
      <${Field} label=${t('goods.hsCode')} name=${`${at}/hsCode`} value=${g.hsCode} onValue=${setIn('goods', i, 'hsCode')} inputmode="numeric" required maxlength="16"
        check=${hs} ok=${hsOk} hint=${hsOk ? t('goods.hsOk', { chapter: normaliseHs(g.hsCode).slice(0, 2) }) : t('goods.hsHint')} />
      <${Field} label=${t('goods.quantity')} name=${`${at}/quantity`} inputmode="decimal" value=${g.quantity} onValue=${setIn('goods', i, 'quantity')} required />
      <${Field} label=${t('goods.unit')} name=${`${at}/unit`} value=${g.unit} onValue=${setIn('goods', i, 'unit', upper)} list="units" hint=${t('goods.unitHint')} required maxlength="3" autocapitalize="characters" />
      <${Field} label=${t('goods.amount')} name=${`${at}/value/amount`} inputmode="decimal" value=${g.amount} onValue=${setIn('goods', i, 'amount')} hint="48000.00" />
      <${Field} label=${t('goods.currency')} name=${`${at}/value/currency`} value=${g.currency} onValue=${setIn('goods', i, 'currency', upper)} maxlength="3" list="currencies" autocapitalize="characters" />
      <${Field} label=${t('goods.controlled')} name=${`${at}/strategic/controlled`} type="checkbox" value=${g.controlled} onValue=${setIn('goods', i, 'controlled')} hint=${t('goods.controlledHint')} wide />
      ${g.controlled && html`
        <${Field} label=${t('goods.regime')} name=${`${at}/strategic/regime`} type="select" value=${g.regime} onValue=${setIn('goods', i, 'regime')} options=${enumOptions('regime', REGIMES, t('form.choose'))} required />
        <${Field} label=${t('goods.entry')} name=${`${at}/strategic/entry`} value=${g.entry} onValue=${setIn('goods', i, 'entry')} required maxlength="40" spellcheck=${false}
          check=${entry} ok=${entryOk} hint=${entryOk ? t('goods.entryOk') : example !== undefined ? t('goods.entryHint', { example }) : t('goods.entryChooseRegime')} />`}
      <${Field} label=${t('goods.licenceStatus')} name=${`${at}/licence/status`} type="select" value=${g.licenceStatus} onValue=${setIn('goods', i, 'licenceStatus')} options=${enumOptions('licence', LICENCE_STATUSES)} />
      ${g.licenceStatus !== 'none' && html`<${Field} label=${t('goods.licenceNumber')} name=${`${at}/licence/number`} value=${g.licenceNumber} onValue=${setIn('goods', i, 'licenceNumber')} required maxlength="100" />`}
    </div>
    ${onRemove !== undefined && html`<button type="button" class="link link-danger" onClick=${onRemove}>${t('goods.remove', { n: i + 1 })}</button>`}
    <datalist id="units">${UNITS.map((u) => html`<option key=${u} value=${u}>${label('unitName', u)}</option>`)}</datalist>
    <datalist id="currencies">${['EUR', 'ALL', 'USD', 'GBP', 'CHF', 'TRY', 'MKD', 'RSD'].map((c) => html`<option key=${c} value=${c} />`)}</datalist>
  </fieldset>`
}

// ---------------------------------------------------------------- one seizure

export function SeizureDetail ({ id, user }) {
  const data = useLoad((signal) => get(`/api/seizures/${enc(id)}`, { signal }), [id])
  if (data.error !== null) return html`<${PageTitle} text=${t('seizures.one')} /><${LoadError} error=${data.error} retry=${data.reload} />`
  if (data.data === undefined) return html`<${Loading} />`
  const s = data.data
  const writer = EVIDENCE_WRITERS.includes(user.role)
  const route = [s.route.origin, ...s.route.transit, s.route.destination].filter((c) => c !== null)
  return html`
    <${PageTitle} text=${s.reference} sub=${html`${s.place.name} · <${When} iso=${s.occurredAt} />`} />
    <div class="columns">
      <${Section} title=${t('seizure.facts')}>
        <${Facts} rows=${[
          [t('seizures.occurredAt'), html`<${When} iso=${s.occurredAt} />`],
          [t('seizure.recordedAt'), html`<${When} iso=${s.recordedAt} /> · <${Person} id=${s.recordedBy} />`],
          [t('seizure.direction'), label('direction', s.direction)],
          [t('seizure.transportMode'), label('transportMode', s.transportMode)],
          [t('seizure.conveyance'), s.conveyance],
          [t('seizure.detectionMethod'), label('detectionMethod', s.detectionMethod)],
          [t('seizure.concealment'), s.concealment],
          [t('seizure.legalBasis'), s.legalBasis],
          [t('route.title'), route.length === 0 ? null : route.map((c) => countryName(c)).join(' → ')],
          [t('seizure.version'), s.version > 1 ? String(s.version) : null]
        ]} />
        ${s.narrative !== null && html`<h3>${t('seizure.narrative')}</h3><p class="prose">${s.narrative}</p>`}
      <//>
      <${Section} title=${t('place.title')}>
        <${Facts} rows=${[
          [t('place.name'), s.place.name],
          [t('place.type'), s.place.type === null ? null : label('placeType', s.place.type)],
          [t('place.locode'), s.place.locode],
          [t('place.coordinates'), s.place.lat === null ? null : `${fmtNumber(s.place.lat, 4)}, ${fmtNumber(s.place.lon, 4)}`]
        ]} />
      <//>
    </div>

    <${Section} title=${t('parties.title')}>
      ${s.parties.length === 0 ? html`<${Empty}>${t('parties.none')}<//>` : html`<ul class="cards">
        ${s.parties.map((p, i) => html`<li key=${i} class="party">
          <p class="party-name">${p.name}</p>
          <p class="muted">${label('partyRole', p.role)} · ${label('partyKind', p.kind)}</p>
          <${Facts} rows=${[
            [t('parties.country'), p.country === null ? null : countryName(p.country)],
            [t('parties.identifier'), p.identifier],
            [t('parties.address'), p.address],
            [t('parties.nationality'), p.nationality === null ? null : countryName(p.nationality)],
            [t('parties.sex'), p.sex === null ? null : label('sex', p.sex)],
            [t('parties.birthDate'), p.birthDate === null ? null : html`<${When} iso=${p.birthDate} date />`]
          ]} />
        </li>`)}
      </ul>`}
    <//>

    <${Section} title=${t('goods.title')}>
      ${s.goods.length === 0 ? html`<${Empty}>${t('goods.none')}<//>` : html`<table class="rows">
        <thead><tr><th scope="col">#</th><th scope="col">${t('goods.description')}</th><th scope="col">${t('goods.hsCode')}</th><th scope="col">${t('goods.quantity')}</th><th scope="col">${t('goods.value')}</th><th scope="col">${t('goods.strategic')}</th><th scope="col">${t('goods.licence')}</th></tr></thead>
        <tbody>${s.goods.map((g, i) => html`<tr key=${i}>
          <td data-label="#">${i + 1}</td>
          <td data-label=${t('goods.description')}>${g.description}</td>
          <td data-label=${t('goods.hsCode')} class="mono">${g.hsCode}</td>
          <td data-label=${t('goods.quantity')}>${fmtNumber(g.quantity)} ${label('unit', g.unit)}</td>
          <td data-label=${t('goods.value')}>${g.value === null ? '—' : `${fmtNumber(Number(g.value.amount), 2)} ${g.value.currency}`}</td>
          <td data-label=${t('goods.strategic')}>${g.strategic.controlled
            ? html`<span class="badge controlled">${t('goods.controlledShort')}</span> ${label('regime', g.strategic.regime)} <span class="mono">${g.strategic.entry}</span>`
            : t('goods.notControlled')}</td>
          <td data-label=${t('goods.licence')}>${label('licence', g.licence.status)}${g.licence.number !== null ? ` · ${g.licence.number}` : ''}</td>
        </tr>`)}</tbody>
      </table>`}
    <//>

    <${Section} title=${t('items.title')}>
      <${ItemTable} items=${s.items} />
      ${can(user, 'item.create') && writer && html`<${NewItem} seizure=${s} />`}
    <//>

    <${Section} title=${t('files.title')}>
      <${Files} owner="seizure" ownerId=${s.id} canUpload=${can(user, 'attachment.upload') && EVIDENCE_WRITERS.includes(user.role)} />
    <//>`
}

export function ItemTable ({ items, showCustodian }) {
  if (items.length === 0) return html`<${Empty}>${t('items.none')}<//>`
  return html`<table class="rows">
    <thead><tr><th scope="col">${t('items.label')}</th><th scope="col">${t('items.description')}</th><th scope="col">${t('items.status')}</th><th scope="col">${t('items.seal')}</th><th scope="col">${showCustodian ? t('items.custodian') : t('items.location')}</th></tr></thead>
    <tbody>${items.map((it) => html`<tr key=${it.id}>
      <td data-label=${t('items.label')} class="nowrap"><${Link} to=${`/items/${it.id}`} class="mono">${it.label}<//></td>
      <td data-label=${t('items.description')}>${it.description}<br /><span class="muted">${label('category', it.category)}</span></td>
      <td data-label=${t('items.status')}><${Badge} kind="itemStatus" value=${it.status} /></td>
      <td data-label=${t('items.seal')}><span class="nowrap">${it.sealNumber ?? '—'}</span> ${it.sealBroken && html`<span class="badge danger">${t('items.sealBroken')}</span>`}</td>
      <td data-label=${showCustodian ? t('items.custodian') : t('items.location')}>${showCustodian ? html`<${Person} id=${it.custodianId} />` : (it.location ?? '—')}</td>
    </tr>`)}</tbody>
  </table>`
}

function NewItem ({ seizure }) {
  const form = useForm()
  const [open, setOpen] = useState(false)
  const [f, setF] = useState({ description: '', category: '', quantity: '1', unit: 'NAR', sealNumber: '', condition: '', goodsIndex: '' })
  const set = (k, map) => (v) => setF({ ...f, [k]: map === undefined ? v : map(v) })
  const submit = () => {
    const e = {}
    if (f.description.trim() === '') e.description = t('form.required')
    if (f.category === '') e.category = t('form.required')
    if (!(Number(f.quantity) > 0)) e.quantity = t('goods.quantityInvalid')
    if (!UNIT.test(f.unit)) e.unit = t('goods.unitInvalid')
    if (!form.valid(e)) return
    return form.run(async () => {
      const item = await post(`/api/seizures/${enc(seizure.id)}/items`, {
        description: f.description.trim(),
        category: f.category,
        quantity: Number(f.quantity),
        unit: f.unit,
        sealNumber: text(f.sealNumber),
        condition: text(f.condition),
        goodsIndex: f.goodsIndex === '' ? null : Number(f.goodsIndex)
      })
      navigate(`/items/${item.id}`, { notice: { kind: 'ok', text: t('items.added', { label: item.label }) } })
    })
  }
  if (!open) return html`<p><button type="button" class="primary" onClick=${() => setOpen(true)}>${t('items.add')}</button></p>`
  return html`<${Form} form=${form} onSubmit=${submit} class="form inset" label=${t('items.add')}>
    <h3>${t('items.add')}</h3>
    <div class="grid">
      <${Field} label=${t('items.description')} name="description" value=${f.description} onValue=${set('description')} required wide maxlength="1000" />
      <${Field} label=${t('items.category')} name="category" type="select" value=${f.category} onValue=${set('category')} options=${enumOptions('category', ITEM_CATEGORIES, t('form.choose'))} required />
      <${Field} label=${t('items.goodsLine')} name="goodsIndex" type="select" value=${f.goodsIndex} onValue=${set('goodsIndex')}
        options=${[['', t('items.noGoodsLine')], ...seizure.goods.map((g, i) => [String(i), `${i + 1} · ${g.description.slice(0, 60)} (${g.hsCode})`])]} />
      <${Field} label=${t('goods.quantity')} name="quantity" inputmode="decimal" value=${f.quantity} onValue=${set('quantity')} required />
      <${Field} label=${t('goods.unit')} name="unit" value=${f.unit} onValue=${set('unit', upper)} maxlength="3" required />
      <${Field} label=${t('items.sealNumber')} name="sealNumber" value=${f.sealNumber} onValue=${set('sealNumber')} hint=${t('items.sealHint')} maxlength="60" />
      <${Field} label=${t('items.condition')} name="condition" value=${f.condition} onValue=${set('condition')} maxlength="1000" wide />
    </div>
    <${ErrorSummary} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${form.busy}>${t('items.create')}</button>
      <button type="button" class="secondary" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
    </div>
  <//>`
}

