// Supervisors' figures as charts drawn in SVG: seizures per month by agency, by detection
// method, transport mode and direction, controlled goods by regime, exhibits by status, case
// outcomes, and the median durations.
import { useState } from 'preact/hooks'
import { get, query } from '../api.js'
import { fmtMonth, fmtNumber, label, t, tn } from '../i18n.js'
import { Empty, Field, Form, html, LoadError, Loading, PageTitle, useForm, useId, useLoad } from '../ui.js'

export function StatsPage () {
  const [f, setF] = useState({ from: '', to: '' })
  const [applied, setApplied] = useState(f)
  const data = useLoad((signal) => get(`/api/stats${query(applied)}`, { signal }), [applied.from, applied.to])
  const s = data.data
  return html`
    <${PageTitle} text=${t('nav.stats')} sub=${t('stats.sub')} />
    <${Form} form=${useForm()} class="filters" label=${t('stats.period')} onSubmit=${() => setApplied(f)}>
      <${Field} label=${t('common.from')} name="from" type="date" value=${f.from} onValue=${(v) => setF({ ...f, from: v })} />
      <${Field} label=${t('common.to')} name="to" type="date" value=${f.to} onValue=${(v) => setF({ ...f, to: v })} />
      <div class="filter-actions"><button type="submit" class="primary">${t('stats.show')}</button></div>
    <//>
    ${data.error !== null && html`<${LoadError} error=${data.error} retry=${data.reload} />`}
    ${s === undefined && data.error === null && html`<${Loading} />`}
    ${s !== undefined && html`
      <div class="figures">
        <${Figure} value=${fmtNumber(s.seizures)} text=${t('stats.seizures')} />
        <${Figure} value=${days(s.medianDaysSeizureToReferral)} text=${tn('stats.toReferral', s.casesReferred)} />
        <${Figure} value=${days(s.medianDaysReferralToClosing)} text=${tn('stats.toClosing', s.casesClosed)} />
      </div>
      <div class="charts">
        <${MonthChart} title=${t('stats.perMonth')} rows=${s.seizuresPerMonth} />
        <${BarChart} title=${t('stats.byMethod')} data=${s.byDetectionMethod.map((r) => ({ label: label('detectionMethod', r.key), value: r.count }))} />
        <${BarChart} title=${t('stats.byMode')} data=${s.byTransportMode.map((r) => ({ label: label('transportMode', r.key), value: r.count }))} />
        <${BarChart} title=${t('stats.byDirection')} data=${s.byDirection.map((r) => ({ label: label('direction', r.key), value: r.count }))} />
        <${BarChart} title=${t('stats.byRegime')} data=${s.byRegimeAndCategory.map((r) => ({ label: `${label('regime', r.regime)} · ${t('stats.category', { c: r.category ?? '?' })}`, value: r.count }))} />
        <${BarChart} title=${t('stats.itemsByStatus')} data=${s.itemsByStatus.map((r) => ({ label: label('itemStatus', r.key), value: r.count }))} />
        <${BarChart} title=${t('stats.outcomes')} data=${s.outcomes.map((r) => ({ label: label('outcome', r.key), value: r.count }))} />
      </div>`}`
}

const days = (d) => d === null || d === undefined ? '—' : t('stats.days', { n: fmtNumber(d, 1) })

function Figure ({ value, text }) {
  return html`<div class="figure card"><span class="figure-value">${value}</span><span class="figure-text">${text}</span></div>`
}

/** Horizontal bars: each row a label, an SVG bar scaled to the largest value, and the count. */
export function BarChart ({ title, data }) {
  const id = useId('ch')
  const max = Math.max(1, ...data.map((d) => d.value))
  return html`<figure class="chart card" aria-labelledby=${id}>
    <figcaption id=${id}>${title}</figcaption>
    ${data.length === 0 ? html`<${Empty}>${t('stats.noData')}<//>` : html`<ul class="hbars">
      ${data.map((d, i) => html`<li key=${i}>
        <span class="bar-label">${d.label}</span>
        <svg class="hbar" width="100%" height="20" aria-hidden="true" focusable="false">
          <rect x="0" y="2" height="16" rx="2" width=${`${Math.max(0.5, (d.value / max) * 100)}%`} class="c0" />
        </svg>
        <span class="bar-value">${fmtNumber(d.value)}</span>
      </li>`)}
    </ul>`}
  </figure>`
}

/** Columns per month, stacked by agency, with a legend; every k-th month labelled. */
function MonthChart ({ title, rows }) {
  const id = useId('ch')
  const months = monthRange([...new Set(rows.map((r) => r.month))].sort())
  const agencies = [...new Set(rows.map((r) => r.agency))].sort()
  if (months.length === 0) {
    return html`<figure class="chart card wide" aria-labelledby=${id}><figcaption id=${id}>${title}</figcaption><${Empty}>${t('stats.noData')}<//></figure>`
  }
  const count = (m, a) => rows.find((r) => r.month === m && r.agency === a)?.count ?? 0
  const totals = months.map((m) => agencies.reduce((n, a) => n + count(m, a), 0))
  const max = niceMax(Math.max(...totals))
  const ticks = [0, max / 2, max]
  const left = 7
  const slot = (100 - left) / months.length
  const every = Math.ceil(months.length / 6)
  const H = 180
  const y = (v) => 10 + H - (v / max) * H
  const summary = months.map((m, i) => `${fmtMonth(m)}: ${totals[i]}`).join('; ')
  return html`<figure class="chart card wide" aria-labelledby=${id}>
    <figcaption id=${id}>${title}</figcaption>
    <svg class="columns-chart" width="100%" height="230" role="img" aria-label=${`${title}. ${summary}`}>
      ${ticks.map((v) => html`<g key=${v}>
        <line x1=${`${left}%`} x2="100%" y1=${y(v)} y2=${y(v)} class="gridline" />
        <text x="0" y=${y(v) + 4} class="axis">${fmtNumber(v)}</text>
      </g>`)}
      ${months.map((m, i) => {
        let base = 0
        return html`<g key=${m}>
          ${agencies.map((a, j) => {
            const n = count(m, a)
            const top = base + n
            const el = n === 0 ? null : html`<rect key=${a} x=${`${left + slot * (i + 0.18)}%`} width=${`${slot * 0.64}%`} y=${y(top)} height=${y(base) - y(top)} class=${`c${j % 8}`}><title>${`${a} ${fmtMonth(m)}: ${n}`}</title></rect>`
            base = top
            return el
          })}
          ${months.length <= 18 && html`<text x=${`${left + slot * (i + 0.5)}%`} y=${y(totals[i]) - 4} text-anchor="middle" class="value">${totals[i]}</text>`}
          ${i % every === 0 && html`<text x=${`${left + slot * (i + 0.5)}%`} y=${H + 32} text-anchor="middle" class="axis">${fmtMonth(m)}</text>`}
        </g>`
      })}
    </svg>
    <ul class="legend">${agencies.map((a, j) => html`<li key=${a}><span class=${`swatch c${j % 8}`} aria-hidden="true"></span>${a}</li>`)}</ul>
  </figure>`
}

/** Every month from the first to the last, so that empty months show as gaps. */
function monthRange (present) {
  if (present.length === 0) return []
  const [first, last] = [present[0], present[present.length - 1]]
  const out = []
  let [y, m] = first.split('-').map(Number)
  for (let guard = 0; guard < 600; guard++) {
    const key = `${y}-${String(m).padStart(2, '0')}`
    out.push(key)
    if (key >= last) break
    m++
    if (m > 12) { m = 1; y++ }
  }
  return out
}

function niceMax (n) {
  if (n <= 4) return 4
  if (n <= 20) return Math.ceil(n / 2) * 2
  const pow = 10 ** Math.floor(Math.log10(n))
  for (const m of [2, 4, 5, 10]) if (m * pow >= n) return m * pow
  return n
}
