// The console's pages: plain JavaScript, no framework, no bundler. State comes from the JSON API
// (/api/*, the AlertService's messages in protobuf JSON mapping); the live feed (/api/events,
// Server-Sent Events) updates alerts in place and re-reads the board when levels move.
'use strict';

const S = { me: null, ref: null, names: {}, indicators: {}, board: null, alerts: new Map(), page: '', es: null };

// ---- helpers --------------------------------------------------------------------------------
const $ = (sel, root = document) => root.querySelector(sel);
function h(text) {
  return String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
const LEVELS = { OPEL_LEVEL_UNSPECIFIED: 0, OPEL_LEVEL_1_GREEN: 1, OPEL_LEVEL_2_AMBER: 2, OPEL_LEVEL_3_RED: 3, OPEL_LEVEL_4_BLACK: 4 };
const COLOURS = ['Not known', 'Green', 'Amber', 'Red', 'Black'];
const lvlNum = l => (typeof l === 'number' ? l : (LEVELS[l] ?? 0));
function lvl(level, big) {
  const n = lvlNum(level);
  const text = n ? `OPEL ${n} · ${COLOURS[n]}` : 'Not known';
  return `<span class="lvl lvl-${n}${big ? ' big' : ''}" data-level="${n}">${text}</span>`;
}
function rag(level) {
  const n = lvlNum(level);
  return `<span class="lvl lvl-${n}" data-level="${n}">${n ? COLOURS[n] : 'Not known'}</span>`;
}
const KIND = { SCOPE_KIND_TEAM: 'team', SCOPE_KIND_KEAH_PATCH: 'keah_patch', SCOPE_KIND_LOCATION: 'location', SCOPE_KIND_AREA: 'area', SCOPE_KIND_BOARD_AREA: 'board_area', SCOPE_KIND_ACUTE_SITE: 'acute_site', SCOPE_KIND_TRUST: 'trust', SCOPE_KIND_ICS: 'ics', SCOPE_KIND_REGION: 'region', SCOPE_KIND_COUNTY: 'county', SCOPE_KIND_PROVIDER: 'provider' };
const scopeKey = s => `${KIND[s?.kind] || 'unknown'}/${s?.id || ''}`;
const scopeName = s => S.names[scopeKey(s)] || s?.id || '';
function when(ts) {
  if (!ts || ts.startsWith('1970')) return '';
  const d = new Date(ts);
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
function age(ts) {
  if (!ts || ts.startsWith('1970')) return 'never';
  const mins = Math.max(0, Math.round((Date.now() - new Date(ts)) / 60000));
  if (mins < 1) return 'just now';
  if (mins < 60) return `${mins} min ago`;
  const hours = Math.floor(mins / 60);
  return hours < 48 ? `${hours} h ${mins % 60} min ago` : `${Math.floor(hours / 24)} days ago`;
}
const person = id => (S.ref?.people || []).find(p => p.id === id)?.name || id;
const roleName = id => (S.ref?.roles || []).find(r => r.id === id)?.name || id;

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  if (res.status === 401) { location.href = '/signin'; throw new Error('signed out'); }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) { const e = new Error(data.error?.message || res.statusText); e.info = data.error || {}; e.status = res.status; throw e; }
  return data;
}
function errorHtml(e, what) {
  if (e.info?.not_available_yet) {
    return `<div class="unavailable" data-testid="not-available"><strong>Not available yet.</strong> ${h(what)} arrives with the escalation service's next release; nothing is wrong on your side.</div>`;
  }
  const v = (e.info?.violations || []).map(x => `<li><strong>${h(x.field)}</strong>: ${h(x.reason)}</li>`).join('');
  return `<div class="error-box" role="alert"><strong>${h(e.status === 403 ? 'Not allowed' : 'Could not complete')}:</strong> ${h(e.message)}${v ? `<ul>${v}</ul>` : ''}</div>`;
}
function toast(text) {
  const item = document.createElement('div');
  item.className = 'item';
  item.textContent = text;
  $('#toast').appendChild(item);
  setTimeout(() => item.remove(), 6000);
}

// ---- data -------------------------------------------------------------------------------------
async function loadBase() {
  [S.me, S.ref] = await Promise.all([api('/api/me'), api('/api/reference')]);
  const r = S.ref;
  const add = (kind, list) => (list || []).forEach(x => { S.names[`${kind}/${x.id}`] = x.name; });
  add('area', r.areas); add('board_area', r.board_areas); add('acute_site', r.acute_sites); add('trust', r.trusts);
  add('keah_patch', r.keah_patches); add('team', r.teams); add('location', r.locations); add('provider', r.providers);
  S.names[`county/${r.county_id}`] = 'Kent (KCC county-wide)';
  S.names[`ics/${r.ics_id}`] = 'Kent and Medway ICS';
  S.names[`region/${r.region_id}`] = 'South East region';
  (r.indicators || []).forEach(i => { S.indicators[i.id] = i; });
  const areas = S.me.county_wide ? 'county-wide' : S.me.areas.map(a => a.name).join(', ') || 'no areas';
  $('#who').textContent = `${S.me.display_name} · ${S.me.role_name} · ${areas}`;
}
async function loadBoard() { S.board = await api('/api/board'); return S.board; }
async function loadAlerts() {
  const data = await api('/api/alerts?include_resolved=true&limit=300');
  S.alerts = new Map(data.alerts.map(a => [a.alert_id, a]));
  updateCount();
}
function activeAlerts() {
  return [...S.alerts.values()].filter(a => a.state !== 'ALERT_STATE_RESOLVED')
    .sort((a, b) => lvlNum(b.level) - lvlNum(a.level) || (b.updated_at || '').localeCompare(a.updated_at || ''));
}
function updateCount() {
  const n = activeAlerts().filter(a => a.state === 'ALERT_STATE_FIRING').length;
  $('#alert-count').textContent = n ? String(n) : '';
  $('#alert-count').setAttribute('aria-label', `${n} not acknowledged`);
}

// ---- pieces -----------------------------------------------------------------------------------
function myCard(a) { return (a.action_cards || []).find(c => c.role_id === S.me.role_id); }
function ackText(a) {
  if (a.state === 'ALERT_STATE_RESOLVED') return `<span class="muted">Resolved ${h(when(a.resolved_at))}</span>`;
  const acks = a.acknowledgements || [];
  if (!acks.length) return '<span class="ack-none">Not acknowledged</span>';
  const k = acks[acks.length - 1];
  return `<span class="ack-yes">Acknowledged by ${h(person(k.user_id))}</span> <span class="muted">${h(when(k.at))}</span>${k.note ? `: “${h(k.note)}”` : ''}`;
}
function alertRow(a, withActions, shown) {
  const card = myCard(a);
  const sameAsAbove = withActions && card && shown && shown.has(card.actions.map(x => x.action_id).join(','));
  if (withActions && card && shown) shown.add(card.actions.map(x => x.action_id).join(','));
  const todo = sameAsAbove ? '<div class="muted small">Your actions: the same as listed above.</div>'
    : withActions && card && card.actions?.length
    ? `<div><strong>What you must do now (${h(card.role_name)}):</strong><ul class="todo">${card.actions.slice(0, 3).map(x => `<li>${h(x.text)}</li>`).join('')}${card.actions.length > 3 ? `<li class="muted">and ${card.actions.length - 3} more on the alert's page</li>` : ''}</ul></div>` : '';
  return `<div class="alert-row" data-alert="${h(a.alert_id)}">
    <div>${lvl(a.level)}</div>
    <div><div class="title"><a href="#/alert/${encodeURIComponent(a.alert_id)}">${h(a.title)}</a>
      ${a.silence_id ? '<span class="tag silenced">silenced</span>' : ''}</div>
      <div class="why">${h(a.summary)}</div>
      <div class="ack">${ackText(a)}</div>${todo}</div>
    <div class="muted small">${h(a.area_id ? S.names['area/' + a.area_id] || a.area_id : 'County-wide')}<br>${h(when(a.updated_at))}</div>
  </div>`;
}
function trend(t) {
  if (t > 0) return '<span class="trend" title="rising">▲ rising</span>';
  if (t < 0) return '<span class="trend" title="falling">▼ falling</span>';
  return '<span class="muted">— steady</span>';
}
function provenance(e) {
  const p = e.provenance || {};
  const by = p.provider_id ? (S.names['provider/' + p.provider_id] || p.provider_id) : 'derived by the platform';
  return `${h(by)}${p.update_id ? ` <span class="muted small">update ${h(p.update_id)}</span>` : ''}${p.entered_by ? ` <span class="muted small">entered by ${h(person(p.entered_by))}</span>` : ''}`;
}
function coverage(l) {
  const pct = Math.round((l.coverage || 0) * 100);
  const warn = pct < 75 ? ' <span class="tag stale">partial data</span>' : '';
  return `${pct}% <span class="muted small">(${l.fresh_indicators || 0} of ${l.expected_indicators || 0} fresh)</span>${warn}`;
}
function declaredCell(l) {
  const d = l.declaration;
  if (!d || !lvlNum(d.level)) return '<span class="muted">none: computed level applies</span>';
  return `${lvl(d.level)} <span class="small">by ${h(person(d.declared_by))}, ${h(when(d.declared_at))}: “${h(d.reason)}”</span>`;
}
function levelsOf(kind) { return (S.board?.levels || []).filter(l => l.scope.kind === kind); }

// ---- pages ------------------------------------------------------------------------------------
const PAGES = {};

PAGES.board = async (view) => {
  await Promise.all([loadBoard(), S.alerts.size ? null : loadAlerts()]);
  const urgent = activeAlerts().filter(a => lvlNum(a.level) >= 3 && a.rule !== 'stale-data');
  const county = levelsOf('SCOPE_KIND_COUNTY')[0];
  const areas = levelsOf('SCOPE_KIND_AREA');
  const boards = levelsOf('SCOPE_KIND_BOARD_AREA');
  const myAreas = new Set(S.me.areas.map(a => a.id));
  const areaRows = (S.ref.areas || []).filter(a => S.me.county_wide || myAreas.has(a.id)).map(a => {
    const l = areas.find(x => x.scope.id === a.id) || { scope: { kind: 'SCOPE_KIND_AREA', id: a.id } };
    const pending = lvlNum(l.pending_level) ? `${lvl(l.pending_level)} <span class="small">from ${h(when(l.step_down_not_before))}</span>` : '<span class="muted">none</span>';
    return `<tr data-scope="area/${h(a.id)}"><td data-label="Area"><strong>${h(a.name)}</strong></td>
      <td data-label="Effective level" class="level-effective">${lvl(l.effective_level)}${lvlNum(l.declaration?.level) ? ' <span class="tag declared">declared</span>' : ''}</td>
      <td data-label="Computed" class="level-computed">${lvl(l.computed_level)}</td>
      <td data-label="Declared">${declaredCell(l)}</td>
      <td data-label="Coverage">${coverage(l)}</td>
      <td data-label="Step down">${pending}</td></tr>`;
  }).join('');
  const boardRows = boards.map(l => `<tr data-scope="board_area/${h(l.scope.id)}"><td data-label="Board area">${h(scopeName(l.scope))}</td>
      <td data-label="System level">${lvl(l.effective_level || l.computed_level)}</td><td data-label="Triggers fresh">${coverage(l)}</td></tr>`).join('');
  const inds = (S.board.indicators || []).slice().sort((a, b) =>
    lvlNum(b.latest.level) - lvlNum(a.latest.level) || scopeName(a.latest.scope).localeCompare(scopeName(b.latest.scope)));
  const indRows = inds.map(i => {
    const e = i.latest;
    const def = S.indicators[e.indicator] || {};
    const local = e.local_default || def.origin === 'THRESHOLD_ORIGIN_LOCAL_DEFAULT';
    return `<tr data-indicator="${h(scopeKey(e.scope))}/${h(e.indicator)}"><td data-label="Indicator">${h(e.indicator_name || def.name || e.indicator)}
        ${local ? '<span class="tag local" title="The plan leaves these thresholds to local judgement">local default thresholds</span>' : ''}</td>
      <td data-label="Where">${h(scopeName(e.scope))}</td>
      <td data-label="RAG">${rag(i.held_level || e.level)}${i.stale ? ' <span class="tag stale">stale</span>' : ''}</td>
      <td data-label="Value">${h(e.value_text)}<div class="muted small">${h(e.trigger_row)}</div></td>
      <td data-label="Age">${h(age(e.occurred_at))}${i.stale ? '<div class="small">missed its reporting deadline; not counted</div>' : ''}</td>
      <td data-label="Trend">${trend(i.trend)}</td>
      <td data-label="From">${provenance(e)}</td></tr>`;
  }).join('');
  view.innerHTML = `
    <h1>County board</h1>
    <section class="panel attention ${urgent.length ? '' : 'clear'}" aria-labelledby="att">
      <h2 id="att">Needs attention now: ${urgent.length ? `${urgent.length} at OPEL 3 or 4` : 'nothing at OPEL 3 or 4'}</h2>
      ${((shown) => urgent.map(a => alertRow(a, true, shown)).join(''))(new Set()) || '<p>No Red or Black alerts in your areas.</p>'}
    </section>
    <section class="panel" aria-labelledby="cty">
      <h2 id="cty">KCC county-wide level</h2>
      ${county ? `<div class="levels-row" data-scope="county/${h(county.scope.id)}">
        <div><span class="label">Effective</span>${lvl(county.effective_level, true)}</div>
        <div><span class="label">Computed</span>${lvl(county.computed_level)}</div>
        <div><span class="label">Declared</span>${declaredCell(county)}</div>
        <div><span class="label">Coverage</span>${coverage(county)}</div></div>` : '<p class="muted">Not computed yet.</p>'}
    </section>
    <section aria-labelledby="areas"><h2 id="areas">KCC areas: computed beside declared</h2>
      <table class="stack" data-testid="areas"><thead><tr><th>Area</th><th>Effective level</th><th>Computed</th><th>Declared</th><th>Coverage</th><th>Step down</th></tr></thead>
      <tbody>${areaRows}</tbody></table></section>
    <section aria-labelledby="boards"><h2 id="boards">Urgent Care Delivery Board areas: whole-system level</h2>
      <table class="stack"><thead><tr><th>Board area</th><th>System level</th><th>Triggers fresh</th></tr></thead>
      <tbody>${boardRows || '<tr><td colspan="3" class="muted">Not computed yet.</td></tr>'}</tbody></table></section>
    <section aria-labelledby="inds"><h2 id="inds">Indicators (worst first)</h2>
      <table class="stack"><thead><tr><th>Indicator</th><th>Where</th><th>RAG</th><th>Value and rule</th><th>Age</th><th>Trend</th><th>From</th></tr></thead>
      <tbody>${indRows || '<tr><td colspan="7" class="muted">No figures reported yet.</td></tr>'}</tbody></table></section>
    <p class="muted small">Board as of ${h(when(S.board.as_of))}. Updates live.</p>`;
};

PAGES.acute = async (view) => {
  await loadBoard();
  const sites = levelsOf('SCOPE_KIND_ACUTE_SITE');
  const byId = new Map(sites.map(l => [l.scope.id, l]));
  const inds = (S.board.indicators || []).filter(i => i.latest.scope.kind === 'SCOPE_KIND_ACUTE_SITE');
  const ics = levelsOf('SCOPE_KIND_ICS')[0];
  const card = (site) => {
    const l = byId.get(site.id);
    const ind = inds.find(i => i.latest.scope.id === site.id);
    const score = l?.acute_score;
    let params = (score?.parameters || []).map(p => `<tr><td data-label="Parameter">${h(p.parameter)}</td><td data-label="Value">${h(p.value_text)}</td><td data-label="Points"><strong>${p.points}</strong></td><td data-label="Band" class="small">${h(p.band)}</td></tr>`).join('');
    if (!params && ind) {
      params = Object.entries(ind.latest.components || {}).filter(([k]) => k.startsWith('points: '))
        .map(([k, v]) => `<tr><td data-label="Parameter">${h(k.slice(8))}</td><td data-label="Value"></td><td data-label="Points"><strong>${v}</strong></td><td></td></tr>`).join('');
    }
    const value = score ? score.score : ind?.latest.value;
    const level = score?.level || l?.effective_level || ind?.latest.level;
    return `<div class="card" data-scope="acute_site/${h(site.id)}"><h3>${h(site.name)}</h3>
      ${value === undefined ? '<p class="muted">No assessment yet today.</p>' : `<div class="levels-row"><div>${lvl(level, true)}</div><div><strong>Score ${h(value)} of 44</strong>
        <div class="muted small">assessed ${h(age(score?.assessed_at || ind?.latest.occurred_at))}${ind?.stale ? ' <span class="tag stale">stale</span>' : ''}</div></div></div>
      <table class="stack"><thead><tr><th>Parameter</th><th>Value</th><th>Points</th><th>Band</th></tr></thead><tbody>${params}</tbody></table>`}
    </div>`;
  };
  view.innerHTML = `<h1>Acute sites</h1>
    <section class="panel"><h2>Kent and Medway ICS</h2>
      ${ics ? `<div class="levels-row"><div><span class="label">Aggregate score</span>${h(ics.acute_score?.score ?? '')} · ${lvl(ics.acute_score?.level || ics.computed_level)}</div>
        <div><span class="label">Action level (highest site)</span>${lvl(ics.action_level, true)}</div>
        <div><span class="label">Sites reporting</span>${coverage(ics)}</div></div>
        <p class="small muted">OPEL actions follow the action level: the highest acute site's level, whatever the aggregate.</p>` : '<p class="muted">No assessments yet.</p>'}
    </section>
    <div class="grid">${(S.ref.acute_sites || []).map(card).join('')}</div>`;
};

PAGES.alerts = async (view, params) => {
  await loadAlerts();
  const f = { level: params.get('min_level') || '', area: params.get('area') || '', mine: params.get('mine') === '1', resolved: params.get('resolved') === '1', state: params.get('state') || '' };
  const list = [...S.alerts.values()].filter(a =>
    (!f.level || lvlNum(a.level) >= Number(f.level)) && (!f.area || a.area_id === f.area) &&
    (!f.mine || (a.recipients || []).some(r => r.role_id === S.me.role_id)) &&
    (f.resolved || a.state !== 'ALERT_STATE_RESOLVED') && (!f.state || a.state === f.state))
    .sort((a, b) => (b.updated_at || '').localeCompare(a.updated_at || ''));
  const opt = (v, t, cur) => `<option value="${h(v)}"${v === cur ? ' selected' : ''}>${h(t)}</option>`;
  view.innerHTML = `<h1>Live alerts</h1>
    <form class="filters" id="filters">
      <label>Level at least<select name="min_level">${opt('', 'Any', f.level)}${[1, 2, 3, 4].map(n => opt(String(n), `OPEL ${n} · ${COLOURS[n]}`, f.level)).join('')}</select></label>
      <label>Area<select name="area">${opt('', 'All my areas', f.area)}${S.me.areas.map(a => opt(a.id, a.name, f.area)).join('')}</select></label>
      <label>State<select name="state">${opt('', 'Any', f.state)}${opt('ALERT_STATE_FIRING', 'Not acknowledged', f.state)}${opt('ALERT_STATE_ACKNOWLEDGED', 'Acknowledged', f.state)}</select></label>
      <label><span><input type="checkbox" name="mine" value="1"${f.mine ? ' checked' : ''}> For my role</span></label>
      <label><span><input type="checkbox" name="resolved" value="1"${f.resolved ? ' checked' : ''}> Include resolved</span></label>
    </form>
    <section class="panel" data-testid="alert-list">${list.map(a => alertRow(a, false)).join('') || '<p>No alerts match.</p>'}</section>`;
  $('#filters').addEventListener('change', (e) => {
    const q = new URLSearchParams(new FormData(e.currentTarget));
    for (const [k, v] of [...q]) if (!v) q.delete(k);
    location.hash = `#/alerts?${q}`;
  });
};

PAGES.alert = async (view, params, id) => {
  let a;
  try { a = await api(`/api/alert?id=${encodeURIComponent(id)}`); } catch (e) { view.innerHTML = `<h1>Alert</h1>${errorHtml(e, 'This alert')}`; return; }
  S.alerts.set(a.alert_id, a);
  const audit = await api(`/api/audit?subject=${encodeURIComponent(id)}`).catch(() => ({ records: [] }));
  const card = myCard(a);
  const others = (a.action_cards || []).filter(c => c !== card);
  const noteRequired = lvlNum(a.level) >= 3;
  const acked = (a.acknowledgements || []).some(k => k.user_id === S.me.user_id);
  const records = a.action_records || [];
  const actionItem = (x) => {
    const r = records.filter(r => r.action_id === x.action_id).pop();
    return `<li data-action="${h(x.action_id)}"><div>${h(x.text)} <span class="muted small">(${h(x.source)})</span></div>
      ${r ? `<div class="small">${r.done ? '<span class="ack-yes">Done</span>' : '<span class="ack-none">Not done</span>'} by ${h(person(r.by_user))} ${h(when(r.at))}${r.note ? `: “${h(r.note)}”` : ''}${r.risks ? ` <em>Risks: ${h(r.risks)}</em>` : ''}</div>` : ''}
      ${a.state !== 'ALERT_STATE_RESOLVED' ? `<details><summary>Record this action</summary><form class="stack record" data-action="${h(x.action_id)}">
        <label><input type="radio" name="done" value="true" checked style="width:auto"> Done</label><label><input type="radio" name="done" value="false" style="width:auto"> Not done</label>
        <label>Note<textarea name="note"></textarea></label><label>Risks anticipated<textarea name="risks"></textarea></label>
        <button type="submit">Record</button><div class="out"></div></form></details>` : ''}</li>`;
  };
  view.innerHTML = `<p><a href="#/alerts">← All alerts</a></p>
    <h1>${h(a.title)}</h1>
    <div class="levels-row">${lvl(a.level, true)}<span>${ackText(a)}</span>${a.silence_id ? '<span class="tag silenced">silenced: recorded, not notified</span>' : ''}</div>
    <p><strong>Why:</strong> ${h(a.summary)}</p>
    <dl class="kv small"><dt>Where</dt><dd>${h(scopeName(a.scope))}${a.area_id ? ` (${h(S.names['area/' + a.area_id] || a.area_id)})` : ''}</dd>
      <dt>Raised</dt><dd>${h(when(a.raised_at))}${lvlNum(a.previous_level) ? `, from ${lvl(a.previous_level)}` : ''}</dd>
      <dt>Who is told</dt><dd>${(a.recipients || []).map(r => `${h(roleName(r.role_id))}${r.escalated ? ' <span class="tag">escalated</span>' : ''}`).join('; ')}</dd></dl>
    ${a.state !== 'ALERT_STATE_RESOLVED' ? `<section class="panel"><h2>Acknowledge</h2>
      ${acked ? '<p class="ack-yes">You have acknowledged this alert.</p>' : `<form class="stack" id="ack"><label for="note">Note${noteRequired ? ' (required at OPEL 3 and 4: what you are doing about it)' : ' (optional)'}</label>
      <textarea id="note" name="note" maxlength="1000"${noteRequired ? ' required' : ''}></textarea>
      <button type="submit" class="primary">Acknowledge</button></form>`}<div class="out" id="ack-out"></div></section>` : ''}
    <section class="panel ${card ? 'mine' : ''}"><h2>What you must do now${card ? ` (${h(card.role_name)}, ${h(lvl(card.level).replace(/<[^>]+>/g, ''))})` : ''}</h2>
      ${card ? `<ol>${card.actions.slice(0, 5).map(actionItem).join('')}</ol>${card.actions.length > 5 ? `<details><summary>Show all ${card.actions.length} actions for your role</summary><ol start="6">${card.actions.slice(5).map(actionItem).join('')}</ol></details>` : ''}` : `<p>Your role (${h(S.me.role_name)}) has no actions on this alert. The roles told are listed above.</p>`}
      ${others.length ? `<details><summary>Other roles' action cards (${others.length})</summary>${others.map(c => `<h3>${h(c.role_name)}</h3><ul>${c.actions.map(x => `<li>${h(x.text)}</li>`).join('')}</ul>`).join('')}</details>` : ''}
    </section>
    <section><h2>Evidence</h2><table class="stack"><thead><tr><th>Figure</th><th>Where</th><th>RAG</th><th>Value</th><th>Rule that matched</th><th>From</th><th>When</th></tr></thead>
      <tbody>${(a.evidence || []).map(e => `<tr><td data-label="Figure">${h(e.indicator_name || e.indicator)}${e.local_default ? ' <span class="tag local">local default thresholds</span>' : ''}</td>
        <td data-label="Where">${h(scopeName(e.scope))}</td><td data-label="RAG">${rag(e.level)}</td><td data-label="Value">${h(e.value_text)}</td>
        <td data-label="Rule">${h(e.trigger_row)}</td><td data-label="From">${provenance(e)}</td><td data-label="When">${h(when(e.occurred_at))} <span class="muted small">${h(age(e.occurred_at))}</span></td></tr>`).join('')}</tbody></table></section>
    <section><h2>History</h2><table class="stack" data-testid="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Note</th></tr></thead>
      <tbody>${(audit.records || []).map(r => `<tr><td data-label="When">${h(when(r.at))}</td><td data-label="Who">${h(r.actor.startsWith('system:') ? 'the platform' : person(r.actor))}</td>
        <td data-label="What">${h(r.action.replace('alert.', '').replace('_', ' '))}</td><td data-label="Note">${h(r.reason)}</td></tr>`).join('') || '<tr><td colspan="4" class="muted">No history yet.</td></tr>'}</tbody></table></section>`;
  $('#ack')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const out = $('#ack-out');
    try {
      const updated = await api('/api/acknowledge', { alert_id: a.alert_id, note: $('#note').value });
      S.alerts.set(updated.alert_id, updated);
      out.innerHTML = '<div class="ok-box">Acknowledged.</div>';
      render();
    } catch (e) { out.innerHTML = errorHtml(e, 'Acknowledging'); }
  });
  view.querySelectorAll('form.record').forEach(form => form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const out = $('.out', form);
    try {
      await api('/api/record-action', { alert_id: a.alert_id, action_id: form.dataset.action, done: fd.get('done') === 'true', note: fd.get('note'), risks: fd.get('risks') });
      render();
    } catch (e) { out.innerHTML = errorHtml(e, 'Recording actions'); }
  }));
};

PAGES.declare = async (view) => {
  await loadBoard();
  const scopes = [];
  if (S.me.county_wide) scopes.push({ kind: 'SCOPE_KIND_COUNTY', id: S.ref.county_id });
  S.me.areas.forEach(a => scopes.push({ kind: 'SCOPE_KIND_AREA', id: a.id }));
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const chosen = scopes.find(s => scopeKey(s) === params.get('scope')) || scopes[0];
  const l = (S.board.levels || []).find(x => chosen && scopeKey(x.scope) === scopeKey(chosen)) || {};
  const may = S.me.may_declare_level;
  view.innerHTML = `<h1>Declare KCC level</h1>
    ${may ? '' : `<div class="unavailable">Your role (${h(S.me.role_name)}) cannot declare levels: the Short-term Pathway Service Manager and the Directors of Adult Social Care can. You can see the computed level and its evidence below.</div>`}
    <form class="filters" id="pick"><label>Scope<select name="scope">${scopes.map(s => `<option value="${scopeKey(s)}"${s === chosen ? ' selected' : ''}>${h(scopeName(s))}</option>`).join('')}</select></label></form>
    ${chosen ? `<section class="panel"><h2>${h(scopeName(chosen))} now</h2>
      <div class="levels-row"><div><span class="label">Computed</span>${lvl(l.computed_level, true)}</div><div><span class="label">Effective</span>${lvl(l.effective_level)}</div>
      <div><span class="label">Declared</span>${declaredCell(l)}</div><div><span class="label">Coverage</span>${coverage(l)}</div></div>
      <h3>Evidence behind the computed level</h3>
      <table class="stack"><thead><tr><th>Figure</th><th>Where</th><th>RAG</th><th>Value</th><th>Age</th></tr></thead><tbody>
      ${(l.evidence || []).map(e => `<tr><td data-label="Figure">${h(e.indicator_name || e.indicator)}</td><td data-label="Where">${h(scopeName(e.scope))}</td><td data-label="RAG">${rag(e.level)}</td><td data-label="Value">${h(e.value_text)}</td><td data-label="Age">${h(age(e.occurred_at))}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">No fresh figures.</td></tr>'}
      </tbody></table></section>
      ${may ? `<section class="panel"><h2>Declare</h2><form class="stack" id="declare">
        <fieldset><legend>Level</legend>${[1, 2, 3, 4].map(n => `<label><input type="radio" name="level" value="${n}" style="width:auto" required> ${lvl(n)}</label>`).join(' ')}</fieldset>
        <label for="reason">Why (at least 10 characters; recorded with the computed level)</label><textarea id="reason" name="reason" minlength="10" required></textarea>
        <button type="submit" class="primary">Declare</button>
        ${lvlNum(l.declaration?.level) ? '<button type="button" id="withdraw" class="danger">Withdraw the declaration</button>' : ''}
        <div class="out" id="declare-out"></div></form></section>` : ''}` : '<p>You cover no area.</p>'}`;
  $('#pick').addEventListener('change', (e) => { location.hash = `#/declare?scope=${encodeURIComponent(e.target.value)}`; });
  $('#declare')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.currentTarget);
    try {
      await api('/api/declare', { scope: chosen, level: Number(fd.get('level')), reason: fd.get('reason') });
      toast(`${scopeName(chosen)} declared OPEL ${fd.get('level')}`);
      render();
    } catch (e) { $('#declare-out').innerHTML = errorHtml(e, 'Declaring'); }
  });
  $('#withdraw')?.addEventListener('click', async () => {
    const reason = $('#reason').value;
    try { await api('/api/withdraw', { scope: chosen, reason }); render(); } catch (e) { $('#declare-out').innerHTML = errorHtml(e, 'Withdrawing'); }
  });
};

const TASK_KINDS = { KIND_NHS111_DOS: 'NHS 111 Directory of Service capacity protocol (plan 6.1)', KIND_EXTRAORDINARY_PAP: 'Extraordinary Practice Assurance Panel (plan 6.3)', KIND_KEAH_DECLINE: 'KEaH referral: inform referrer / decline notice (plan 7.6)' };
PAGES.tasks = async (view) => {
  view.innerHTML = '<h1>Protocol tasks</h1><div id="tasks"></div>';
  let data;
  try { data = await api('/api/tasks?include_closed=true'); } catch (e) { $('#tasks').innerHTML = errorHtml(e, 'Protocol tasks (NHS 111 Directory of Service, extraordinary panel)'); return; }
  $('#tasks').innerHTML = (data.tasks || []).map(t => `<section class="panel"><h2>${h(TASK_KINDS[t.kind] || t.kind)}</h2>
    <div class="levels-row">${lvl(t.level)}<span>${h(scopeName(t.scope))}</span><span class="muted">opened ${h(when(t.opened_at))}</span>${t.closed ? '<span class="tag">closed</span>' : ''}
      ${t.next_review_at && !t.next_review_at.startsWith('1970') ? `<strong>4-hour review due ${h(when(t.next_review_at))}</strong>` : ''}</div>
    <ol>${(t.steps || []).map(s => `<li>${h(s.description)} <span class="muted small">(${h(roleName(s.role_id))}, due ${h(when(s.due_at))})</span>
      ${s.done_at && !s.done_at.startsWith('1970') ? `<div class="ack-yes small">Done by ${h(person(s.done_by))} ${h(when(s.done_at))}${s.note ? `: “${h(s.note)}”` : ''}</div>`
        : `${s.overdue ? '<span class="tag stale">overdue</span>' : ''}<form class="stack step" data-task="${h(t.task_id)}" data-step="${h(s.step_id)}"><label>Note<input name="note"></label><button type="submit">Mark done</button><div class="out"></div></form>`}</li>`).join('')}</ol></section>`).join('') || '<p>No open tasks.</p>';
  view.querySelectorAll('form.step').forEach(form => form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await api('/api/complete-step', { task_id: form.dataset.task, step_id: form.dataset.step, note: new FormData(form).get('note') }); render(); }
    catch (e) { $('.out', form).innerHTML = errorHtml(e, 'Completing task steps'); }
  }));
};

PAGES.prompts = async (view) => {
  view.innerHTML = '<h1>Decision prompts</h1><p class="muted">A rise elsewhere (a board area, an acute site, the region) asks KCC to decide whether to respond, and why.</p><div id="prompts"></div>';
  let data;
  try { data = await api('/api/prompts?include_answered=true'); } catch (e) { $('#prompts').innerHTML = errorHtml(e, 'Decision prompts'); return; }
  $('#prompts').innerHTML = (data.prompts || []).map(p => `<section class="panel"><h2>${h(scopeName(p.trigger_scope))} reached ${lvl(p.trigger_level)}</h2>
    <p class="muted">Raised ${h(when(p.raised_at))} for ${(p.role_ids || []).map(roleName).map(h).join(', ')}</p>
    ${p.decision && p.decision !== 'DECISION_UNSPECIFIED' ? `<p><strong>${p.decision === 'DECISION_RESPOND' ? 'Responding' : 'Declined'}</strong> by ${h(person(p.decided_by))} ${h(when(p.decided_at))}: “${h(p.reason)}”</p>`
      : `<form class="stack answer" data-id="${h(p.prompt_id)}"><label><input type="radio" name="decision" value="DECISION_RESPOND" style="width:auto" required> Respond</label>
        <label><input type="radio" name="decision" value="DECISION_DECLINE" style="width:auto"> Decline</label><label>Why<textarea name="reason" required></textarea></label>
        <button type="submit" class="primary">Record decision</button><div class="out"></div></form>`}</section>`).join('') || '<p>No decision prompts.</p>';
  view.querySelectorAll('form.answer').forEach(form => form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    try { await api('/api/answer-prompt', { prompt_id: form.dataset.id, decision: fd.get('decision'), reason: fd.get('reason') }); render(); }
    catch (e) { $('.out', form).innerHTML = errorHtml(e, 'Answering decision prompts'); }
  }));
};

PAGES.silences = async (view) => {
  view.innerHTML = `<h1>Silences</h1><p class="muted">A silenced condition is still recorded and shown, but not notified. Every silence is audited.</p><div id="silences"></div>
    ${S.me.may_silence ? `<section class="panel"><h2>Silence a known condition</h2><form class="stack" id="silence">
      <label>Where<select name="scope">${S.me.areas.map(a => `<option value="SCOPE_KIND_AREA|${h(a.id)}">${h(a.name)}</option>`).join('')}
        ${(S.ref.teams || []).filter(t => S.me.county_wide || S.me.areas.some(a => a.id === t.area_id)).map(t => `<option value="SCOPE_KIND_TEAM|${h(t.id)}">${h(t.name)}</option>`).join('')}</select></label>
      <label>Indicator (empty: every indicator there)<select name="indicator"><option value="">Every indicator</option>${Object.values(S.indicators).map(i => `<option value="${h(i.id)}">${h(i.name)}</option>`).join('')}</select></label>
      <label>Until<input type="datetime-local" name="until" required></label><label>Why<textarea name="reason" required></textarea></label>
      <button type="submit">Create silence</button><div class="out" id="silence-out"></div></form></section>` : `<p>Your role (${h(S.me.role_name)}) cannot create silences.</p>`}`;
  try {
    const data = await api('/api/silences');
    $('#silences').innerHTML = `<table class="stack"><thead><tr><th>Where</th><th>Indicator</th><th>Until</th><th>Why</th><th>By</th><th></th></tr></thead><tbody>
      ${(data.silences || []).map(s => `<tr><td data-label="Where">${h(scopeName(s.scope))}</td><td data-label="Indicator">${h(S.indicators[s.indicator]?.name || s.indicator || 'every indicator')}</td>
        <td data-label="Until">${h(when(s.until))}</td><td data-label="Why">${h(s.reason)}</td><td data-label="By">${h(person(s.created_by))}</td>
        <td>${S.me.may_silence ? `<button data-expire="${h(s.silence_id)}">End now</button>` : ''}</td></tr>`).join('') || '<tr><td colspan="6" class="muted">No active silences.</td></tr>'}</tbody></table>`;
  } catch (e) { $('#silences').innerHTML = errorHtml(e, 'Silences'); }
  $('#silence')?.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(ev.currentTarget);
    const [kind, id] = fd.get('scope').split('|');
    try {
      await api('/api/silences', { scope: { kind, id }, indicator: fd.get('indicator'), until: new Date(fd.get('until')).toISOString(), reason: fd.get('reason') });
      render();
    } catch (e) { $('#silence-out').innerHTML = errorHtml(e, 'Silences'); }
  });
  view.querySelectorAll('[data-expire]').forEach(b => b.addEventListener('click', async () => {
    try { await api('/api/expire-silence', { silence_id: b.dataset.expire, reason: 'ended from the console' }); render(); }
    catch (e) { $('#silences').insertAdjacentHTML('afterbegin', errorHtml(e, 'Ending silences')); }
  }));
};

PAGES.notifications = async (view) => {
  const data = await api('/api/notifications');
  view.innerHTML = `<h1>Notifications</h1>
    <p>${data.enabled ? `Webhook deliveries are on. ${data.waiting} notification(s) waiting to be grouped or sent.` : 'Webhook deliveries are switched off in this console\'s configuration.'}</p>
    <table class="stack"><thead><tr><th>When</th><th>Route</th><th>Alerts</th><th>Attempt</th><th>Outcome</th></tr></thead><tbody>
    ${(data.attempts || []).map(x => `<tr><td data-label="When">${h(when(x.at))}</td><td data-label="Route">${h(x.route_id)}<div class="muted small">${h(x.destination)}</div></td>
      <td data-label="Alerts">${x.alerts.map(a => `${h(a.title)} <span class="muted small">(${h(a.level)}, rev ${a.revision})</span>`).join('<br>')}</td>
      <td data-label="Attempt">${x.attempt} of ${x.max_attempts}</td>
      <td data-label="Outcome"><strong>${h(x.outcome)}</strong> ${x.http_status ? `HTTP ${x.http_status}` : h(x.error)}${x.next_attempt_in_ms ? ` <span class="muted small">next in ${Math.round(x.next_attempt_in_ms / 1000)} s</span>` : ''}</td></tr>`).join('') || '<tr><td colspan="5" class="muted">No delivery attempts yet.</td></tr>'}
    </tbody></table>`;
};

// ---- routing and live feed --------------------------------------------------------------------
async function render() {
  const hash = location.hash || '#/board';
  const [path, query] = hash.slice(2).split('?');
  const [page, ...rest] = path.split('/');
  S.page = PAGES[page] ? page : 'board';
  document.querySelectorAll('nav.tabs a').forEach(a => a.classList.toggle('active', a.dataset.page === S.page || (S.page === 'alert' && a.dataset.page === 'alerts')));
  // Each render draws into a fresh element: a slower earlier render then finishes into a
  // detached one instead of overwriting the page the user moved to.
  const view = document.createElement('div');
  $('#view').replaceChildren(view);
  try {
    await PAGES[S.page](view, new URLSearchParams(query || ''), decodeURIComponent(rest.join('/')));
  } catch (e) {
    view.innerHTML = errorHtml(e, 'This page');
  }
}

let boardTimer = null;
function boardChanged() {
  clearTimeout(boardTimer);
  boardTimer = setTimeout(() => { if (['board', 'acute', 'declare'].includes(S.page)) render(); }, 400);
}
function connectLive(fresh) {
  if (S.es) S.es.close();
  const live = $('#live');
  const es = new EventSource('/api/events');
  S.es = es;
  es.onopen = () => { live.className = 'live on'; $('#live-text').textContent = 'Live'; if (fresh === false) { loadAlerts().then(render); } fresh = false; };
  es.onerror = () => { live.className = 'live off'; $('#live-text').textContent = 'Reconnecting…'; };
  es.addEventListener('alert', (ev) => {
    const a = JSON.parse(ev.data);
    const before = S.alerts.get(a.alert_id);
    if (before && Number(before.revision) > Number(a.revision)) return;  // a stale copy
    S.alerts.set(a.alert_id, a);
    updateCount();
    if (!before && a.state === 'ALERT_STATE_FIRING') toast(`${COLOURS[lvlNum(a.level)]}: ${a.title}`);
    if (S.page === 'alerts' || S.page === 'board') boardChanged();
    if (S.page === 'alert' && location.hash.includes(encodeURIComponent(a.alert_id))) render();
  });
  es.addEventListener('board', boardChanged);
  es.addEventListener('resync', () => { es.close(); loadAlerts().then(render); connectLive(true); });
  es.addEventListener('reconnect', () => { live.className = 'live off'; $('#live-text').textContent = 'Reconnecting…'; });
}

window.addEventListener('hashchange', render);
loadBase().then(() => { connectLive(true); return render(); }).catch(e => { $('#view').innerHTML = errorHtml(e, 'The console'); });
setInterval(() => { if (S.page === 'board' && !document.hidden) render(); }, 60000);
