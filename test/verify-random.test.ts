/**
 * Property-style: after many random but valid changes through the API (seizures and their
 * corrections, items, custody hand-overs, storage and examination, attachments, user updates,
 * checkpoints along the way), the verify command finds everything consistent.
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { verifyLog } from '../server/verify/verify-log.js'
import { ADMIN_PASSWORD, as, createUser, login, makeApp } from './helpers/app.js'
import { createItem, createLocation, createSeizure, custody, upload } from './helpers/evidence.js'

function random (seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    return (s >>> 8) % n
  }
}

interface Held { id: string, status: string, custodianId: string, pendingToId: string | null }

t.test('verify passes after many random writes', async (t) => {
  const { app, dir } = await makeApp(t)
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const people = [
    await createUser(app, admin, { username: 'officer.r', role: 'officer' }),
    await createUser(app, admin, { username: 'custodian.r1', role: 'custodian' }),
    await createUser(app, admin, { username: 'custodian.r2', role: 'custodian' }),
    await createUser(app, admin, { username: 'investigator.r', role: 'investigator' })
  ]
  const officer = people[0] as { id: string, token: string }
  const custodian = people[1] as { id: string, token: string }
  const tokenOf = new Map(people.map((p) => [p.id, p.token]))
  await createLocation(app, custodian.token, 'RND')
  await createLocation(app, custodian.token, 'RND/S1', 'RND')
  const seizures: string[] = [(await createSeizure(app, officer.token)).id]
  const items: Held[] = []
  const pick = random(20260329)
  const choose = <T>(list: T[]): T => list[pick(list.length)] as T
  let writes = 0
  let refused = 0

  async function event (item: Held): Promise<void> {
    const actor = item.status === 'in_transit' ? item.pendingToId ?? '' : item.custodianId
    const token = tokenOf.get(actor)
    if (token === undefined) return
    let body: Record<string, unknown>
    if (item.status === 'in_transit') body = { type: 'received', sealIntact: pick(10) > 0 }
    else if (item.status === 'at_examination') body = { type: 'checked_in', sealIntact: true, location: 'RND/S1' }
    else if (item.status !== 'in_custody') return
    else {
      const others = people.filter((p) => p.id !== actor)
      body = choose([
        { type: 'transferred', toUserId: choose(others).id, purpose: 'hand-over' },
        { type: 'transferred', toUserId: choose(others).id },
        { type: 'stored', location: choose(['RND', 'RND/S1']) },
        { type: 'examined', notes: `looked at it ${pick(1000)}` },
        { type: 'checked_out', purpose: 'laboratory' },
        { type: 'resealed', sealNumber: `SB-R${pick(100000)}` }
      ])
    }
    const res = await custody(app, token, item.id, body)
    if (res.statusCode !== 201) { refused++; return }
    const after = res.json<{ item: Held }>().item
    Object.assign(item, { status: after.status, custodianId: after.custodianId, pendingToId: after.pendingToId })
    writes++
  }

  for (let step = 0; step < 160; step++) {
    const roll = pick(100)
    if (roll < 6) {
      seizures.push((await createSeizure(app, officer.token, { narrative: `Random seizure ${step}` })).id); writes++
    } else if (roll < 18 || items.length === 0) {
      const item = await createItem(app, officer.token, choose(seizures), { sealNumber: `SB-${step}` })
      items.push({ id: item.id, status: item.status, custodianId: item.custodianId, pendingToId: item.pendingToId }); writes++
    } else if (roll < 23) {
      const res = await as(app, officer.token)('PATCH', `/api/seizures/${choose(seizures)}`, { reason: `Correction ${step}`, narrative: `Corrected narrative ${step}` })
      if (res.statusCode === 200) writes++
    } else if (roll < 26) {
      const res = await as(app, admin)('PATCH', `/api/users/${choose(people).id}`, { displayName: `Renamed ${step}` })
      if (res.statusCode === 200) writes++
    } else if (roll < 31) {
      const item = choose(items)
      const token = tokenOf.get(item.custodianId) ?? officer.token
      const res = await upload(app, token, `/api/items/${item.id}/attachments`, [{ name: 'file', filename: `note-${step}.txt`, data: `random attachment ${step} ${pick(1e9)}\n`, contentType: 'text/plain' }])
      if (res.statusCode === 201) writes++
    } else if (roll < 33) {
      await as(app, admin)('POST', '/api/audit/checkpoint')
    } else {
      await event(choose(items))
    }
  }
  t.ok(writes > 120, `${writes} changes were made (${refused} custody events refused by the rules, as they may be)`)
  await app.close()

  const sqlite = new Database(path.join(dir, 'strongroom.db'), { readonly: true })
  t.teardown(() => sqlite.close())
  const report = await verifyLog({ sqlite, dataDir: dir, batchSize: 37 })
  t.same(report.mismatches, [], 'verify finds no mismatch')
  t.ok(report.ok, 'and passes')
  t.ok(report.checked.checkpoints >= 2, `every one of the ${report.checked.checkpoints} checkpoints was checked`)
  t.ok((report.checked.records.custody_events ?? 0) > 60, `${report.checked.records.custody_events ?? 0} custody events were re-derived`)
  t.ok(report.checked.attachments > 0, `${report.checked.attachments} attachment files were re-hashed`)
})
