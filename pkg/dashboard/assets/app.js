// Dashboard page: signs in with a bearer token, queries the monitor
// through /api/*, renders six views and keeps them fresh from the live
// feed and the metrics' validUntil. No dependencies, no build step.
//
// The token lives in `state.token` (and in sessionStorage only when the
// user asks); it is sent in the Authorization header and never placed in
// a URL. Every figure is written with textContent, never as HTML.
'use strict';

(function () {
  const STORE_KEY = 'monitor.token';
  const SEVERITIES = ['critical', 'high', 'medium', 'low'];
  const VIEWS = ['overview', 'stream', 'sla', 'workload', 'trends', 'health'];

  const state = {
    token: null,
    session: null,
    view: 'overview',
    scope: { tenantId: '', facilityId: '', federationId: '' },
    result: null,      // the last query result, null when none may be shown
    health: null,
    stats: null,       // stats document, or {denied: reason}
    lastOk: 0,         // Date.now() of the last successful refresh
    minValidity: 10000, // shortest metric validity seen, ms
    refreshSeq: 0,
    refreshTimer: 0,
    soonTimer: 0,
    feed: null,        // AbortController of the running feed
    facilities: new Set(),
    federations: new Set(),
  };

  const $ = (id) => document.getElementById(id);

  // el builds an element: attrs are attributes (class, data-*, ...),
  // children strings (as text) or nodes.
  function el(tag, attrs, ...children) {
    const ns = tag === 'svg' || attrs && attrs.svg ? 'http://www.w3.org/2000/svg' : null;
    const n = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'svg' || v === undefined || v === null || v === false) continue;
      n.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined) continue;
      n.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
    }
    return n;
  }
  const svg = (tag, attrs, ...c) => el(tag, Object.assign({ svg: true }, attrs), ...c);

  // fmt shows a number as the figures are compared: integers as they
  // are, others with two decimals.
  function fmt(v) {
    if (typeof v !== 'number' || !isFinite(v)) return '–';
    return Number.isInteger(v) ? String(v) : v.toFixed(2);
  }
  function title(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : ''; }
  function clock(t) {
    if (!t) return 'never';
    const d = new Date(t);
    return isNaN(d) ? String(t) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }
  function hours(h) {
    const m = Math.round(Math.abs(h) * 60);
    const s = Math.floor(m / 60) + 'h ' + String(m % 60).padStart(2, '0') + 'm';
    return h < 0 ? 'overdue by ' + s : s + ' left';
  }
  function badge(kind, value) {
    return el('span', { class: 'badge ' + kind + '-' + value }, value ? value.toUpperCase() : '?');
  }
  function dlItems(target, items) {
    target.replaceChildren(...items.map(([k, v, key]) =>
      el('div', { 'data-key': key }, el('dt', null, k), el('dd', null, v))));
  }

  // ---- calls ------------------------------------------------------------

  class APIError extends Error {
    constructor(status, doc) {
      const e = (doc && doc.error) || {};
      super(status + (e.rule ? ' ' + e.rule : '') + (e.reason ? ': ' + e.reason : ''));
      this.status = status;
      this.rule = e.rule || '';
      this.reason = e.reason || '';
    }
  }

  async function call(method, path, body, signal) {
    const headers = { Authorization: 'Bearer ' + state.token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method, headers, signal, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let doc = null;
    try { doc = await res.json(); } catch (_) { /* empty or not JSON */ }
    if (!res.ok) throw new APIError(res.status, doc);
    return doc;
  }

  function scopeBody() {
    const s = { tenantId: state.scope.tenantId };
    if (state.scope.facilityId) s.facilityId = state.scope.facilityId;
    if (state.scope.federationId) s.federationId = state.scope.federationId;
    return s;
  }
  function scopeQuery() {
    const p = new URLSearchParams({ tenant: state.scope.tenantId });
    if (state.scope.facilityId) p.set('facility', state.scope.facilityId);
    if (state.scope.federationId) p.set('federation', state.scope.federationId);
    return p.toString();
  }

  // ---- sign-in ----------------------------------------------------------

  async function signIn(token, remember) {
    state.token = token;
    const err = $('signin-error');
    err.hidden = true;
    try {
      state.session = await call('POST', 'api/session', {});
    } catch (e) {
      state.token = null;
      sessionStorage.removeItem(STORE_KEY);
      err.textContent = e.status === 401
        ? 'Token refused (401): ' + (e.reason || 'not valid')
        : 'Sign-in failed: ' + e.message;
      err.hidden = false;
      return;
    }
    if (remember) sessionStorage.setItem(STORE_KEY, token);
    $('token').value = '';
    state.scope = { tenantId: state.session.tenant, facilityId: '', federationId: '' };
    $('scope-tenant').value = state.scope.tenantId;
    $('scope-facility').value = '';
    $('scope-federation').value = '';
    $('who-name').textContent = state.session.user + ' @ ' + state.session.tenant;
    renderLinks(state.session.links || []);
    $('version').textContent = state.session.version ? 'Monitor ' + state.session.version : '';
    $('signin-view').hidden = true;
    $('app').hidden = false;
    $('who').hidden = false;
    $('status').hidden = false;
    showView(viewFromHash() || state.view, false);
    restart();
  }

  function signOut(message) {
    state.token = null;
    state.session = null;
    sessionStorage.removeItem(STORE_KEY);
    stopFeed();
    clearTimeout(state.refreshTimer);
    state.refreshSeq++;
    state.result = state.health = state.stats = null;
    state.lastOk = 0;
    state.facilities.clear();
    state.federations.clear();
    render();
    renderLinks([]);
    $('app').hidden = true;
    $('who').hidden = true;
    $('status').hidden = true;
    $('signin-view').hidden = false;
    const err = $('signin-error');
    err.textContent = message || '';
    err.hidden = !message;
    $('token').focus();
  }

  function renderLinks(links) {
    const ul = $('console-links');
    ul.replaceChildren(...links.map((l) => el('li', null,
      el('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer', 'data-console': l.name }, l.label))));
    $('consoles').hidden = links.length === 0;
  }

  // ---- refresh ----------------------------------------------------------

  // restart begins again for a new scope: figures, options and feed.
  function restart() {
    state.result = state.health = state.stats = null;
    state.lastOk = 0;
    render();
    refresh('start');
    startFeed();
  }

  // refresh queries the scope and renders it. cause ("start", "timer",
  // "feed", "manual") is counted on <body> for tests and diagnostics.
  async function refresh(cause) {
    cause = typeof cause === 'string' ? cause : 'timer';
    clearTimeout(state.refreshTimer);
    clearTimeout(state.soonTimer);
    const seq = ++state.refreshSeq;
    const q = { queryId: 'dashboard', scope: scopeBody(), recentEvents: 20, slaTimers: 100 };
    try {
      const [res, health] = await Promise.all([
        call('POST', 'api/query', q),
        call('GET', 'api/health?' + scopeQuery()),
      ]);
      let stats;
      try {
        stats = await call('POST', 'api/stats', { scope: scopeBody() });
      } catch (e) {
        if (e.status === 401) throw e;
        stats = { denied: e.message };
      }
      if (seq !== state.refreshSeq) return;
      state.result = res;
      state.health = health;
      state.stats = stats;
      state.lastOk = Date.now();
      showBanner('');
      collectScopes(res);
      render();
      schedule(res);
      const ds = document.body.dataset;
      ds.refreshes = String(Number(ds.refreshes || 0) + 1);
      ds['refreshes' + title(cause)] = String(Number(ds['refreshes' + title(cause)] || 0) + 1);
    } catch (e) {
      if (seq !== state.refreshSeq) return;
      failed(e);
    }
  }

  // refreshSoon coalesces the feed's update signals into one query.
  function refreshSoon() {
    clearTimeout(state.soonTimer);
    state.soonTimer = setTimeout(() => refresh('feed'), 150);
  }

  // schedule the next refresh when the first metric expires; the
  // shortest validity sets when the page counts as stale.
  function schedule(res) {
    let next = 60000;
    let shortest = Infinity;
    for (const m of res.metrics || []) {
      const until = Date.parse(m.validUntil);
      const valid = until - Date.parse(m.computedAt);
      if (valid > 0) shortest = Math.min(shortest, valid);
      next = Math.min(next, until - Date.now());
    }
    if (isFinite(shortest)) state.minValidity = shortest;
    state.refreshTimer = setTimeout(refresh, Math.max(1000, next + 200));
  }

  function failed(e) {
    if (e.status === 401) {
      signOut('Signed out: the monitor refused the token (401). ' + (e.reason || ''));
      return;
    }
    if (e.status === 403 || e.status === 400) {
      // Nothing of this scope may be shown: clear every figure.
      state.result = state.health = state.stats = null;
      render();
      showBanner((e.status === 403 ? 'Forbidden (403)' : 'Refused (400)') +
        (e.rule ? ' by rule ' + e.rule : '') + (e.reason ? ': ' + e.reason : ''), e);
      return;
    }
    showBanner('Update failed (' + e.message + '); retrying.', e);
    state.refreshTimer = setTimeout(refresh, 5000);
  }

  function showBanner(text, e) {
    const b = $('banner');
    b.textContent = text;
    b.hidden = !text;
    b.dataset.status = e && e.status ? String(e.status) : '';
    b.dataset.rule = e && e.rule ? e.rule : '';
  }

  // tick updates the freshness mark every second.
  function tick() {
    const f = $('freshness');
    if (!state.token) return;
    const age = Date.now() - state.lastOk;
    if (!state.lastOk) {
      f.textContent = 'No data';
      f.className = 'freshness stale';
    } else if (age > 2 * state.minValidity) {
      f.textContent = 'STALE: no update for ' + Math.round(age / 1000) + ' s';
      f.className = 'freshness stale';
    } else {
      f.textContent = 'Live';
      f.className = 'freshness live';
    }
  }

  function collectScopes(res) {
    for (const ev of (res.streamState && res.streamState.recentEvents) || []) {
      if (!ev || !ev.scope) continue;
      if (ev.scope.facilityId) state.facilities.add(ev.scope.facilityId);
      if (ev.scope.federationId) state.federations.add(ev.scope.federationId);
    }
    const opts = (set) => [...set].sort().map((v) => el('option', { value: v }));
    $('facilities').replaceChildren(...opts(state.facilities));
    $('federations').replaceChildren(...opts(state.federations));
  }

  // ---- feed -------------------------------------------------------------

  function setFeed(text) { $('feed-state').textContent = 'Feed: ' + text; }

  function stopFeed() {
    if (state.feed) state.feed.abort();
    state.feed = null;
    setFeed('off');
  }

  // startFeed reads /api/feed as a text/event-stream through fetch (an
  // EventSource could not send the Authorization header) and reconnects
  // after a pause when it ends.
  async function startFeed() {
    stopFeed();
    const ctrl = new AbortController();
    state.feed = ctrl;
    while (!ctrl.signal.aborted) {
      try {
        setFeed('connecting');
        const res = await fetch('api/feed?' + scopeQuery(), {
          headers: { Authorization: 'Bearer ' + state.token },
          signal: ctrl.signal, cache: 'no-store', credentials: 'omit',
        });
        if (!res.ok) {
          let doc = null;
          try { doc = await res.json(); } catch (_) { /* none */ }
          const e = new APIError(res.status, doc);
          if (res.status === 401 || res.status === 403 || res.status === 400) {
            setFeed('refused (' + res.status + ')');
            failed(e);
            return;
          }
          throw e;
        }
        await readEvents(res.body.getReader(), ctrl);
      } catch (e) {
        if (ctrl.signal.aborted) return;
      }
      setFeed('reconnecting');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  async function readEvents(reader, ctrl) {
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done || ctrl.signal.aborted) return;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let name = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trim();
        }
        let doc = {};
        try { doc = data ? JSON.parse(data) : {}; } catch (_) { /* ignore */ }
        onFeedEvent(name, doc);
      }
    }
  }

  function onFeedEvent(name, doc) {
    switch (name) {
      case 'mode':
        setFeed(doc.mode === 'subscription' ? 'live (subscription)' : 'polling');
        break;
      case 'update':
        refreshSoon();
        break;
      case 'error':
        failed(new APIError(doc.code || 500, { error: doc }));
        break;
    }
  }

  // ---- views ------------------------------------------------------------

  function viewFromHash() {
    const v = location.hash.slice(1);
    return VIEWS.includes(v) ? v : '';
  }

  function showView(view, focus) {
    state.view = view;
    for (const v of VIEWS) $('view-' + v).hidden = v !== view;
    for (const b of document.querySelectorAll('.views button')) {
      if (b.dataset.view === view) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
    if (location.hash.slice(1) !== view) history.replaceState(null, '', '#' + view);
    if (focus) $('h-' + view).focus();
  }

  function render() {
    const res = state.result;
    const ss = res && res.streamState;
    $('computed-at').textContent = res ? 'Computed ' + clock(res.computedAt) : '';
    $('computed-at').dataset.computedAt = res ? res.computedAt : '';
    renderOverview(res);
    renderStream(ss);
    renderSLA(res, ss);
    renderWorkload(ss);
    renderTrends(res, ss);
    renderHealth(state.health, state.stats);
    tick();
  }

  function metric(res, cat) {
    return res && (res.metrics || []).find((m) => m.category === cat);
  }

  function renderOverview(res) {
    if (!res) {
      $('summary').replaceChildren();
      $('cards').replaceChildren(el('p', { class: 'empty' }, 'No figures to show.'));
      return;
    }
    const s = res.summary || {};
    const busy = s.busiestOperator;
    dlItems($('summary'), [
      ['Events processed', fmt(s.eventsProcessed), 'eventsProcessed'],
      ['Active tasks', fmt(s.activeTasks), 'activeTasks'],
      ['Active SLA timers', fmt(s.activeSlaTimers), 'activeSlaTimers'],
      ['SLA breaches', fmt(s.slaBreaches), 'slaBreaches'],
      ['SLA warnings', fmt(s.slaWarnings), 'slaWarnings'],
      ['Busiest operator', busy ? busy.operatorId + ' (' + busy.activeTasks + ')' : 'none', 'busiestOperator'],
    ]);
    const cards = (res.metrics || []).map((m) => {
      const t = m.trend;
      const arrow = !t ? '' : t.direction === 'increasing' ? '▲' : t.direction === 'decreasing' ? '▼' : '▶';
      const md = m.metadata || {};
      return el('article', { class: 'card', 'data-category': m.category },
        el('h3', null, m.name),
        el('p', { class: 'figure' }, el('span', { class: 'value' }, fmt(m.value)),
          el('span', { class: 'unit' }, m.unit)),
        t ? el('p', { class: 'trend trend-' + t.direction, 'data-direction': t.direction },
          el('span', { 'aria-hidden': 'true' }, arrow + ' '),
          title(t.direction) + ' (' + (t.changeRate > 0 ? '+' : '') + fmt(t.changeRate) + '%)')
          : el('p', { class: 'trend' }, 'No trend for this metric'),
        el('p', { class: 'confidence', 'data-confidence': md.confidenceLevel },
          'Confidence: ' + md.confidenceLevel + ' (' + md.sampleSize + ' samples)'),
        el('p', { class: 'help' }, 'Valid until ' + clock(m.validUntil)));
    });
    for (const o of res.omitted || []) {
      cards.push(el('article', { class: 'card omitted', 'data-category': o.category },
        el('h3', null, o.category),
        el('p', null, 'Not shown: ' + o.rule),
        el('p', { class: 'help' }, o.reason)));
    }
    $('cards').replaceChildren(...cards);
  }

  function operatorText(o) {
    if (!o.operatorId) return '–';
    return o.operatorName ? o.operatorName + ' (' + o.operatorId + ')' : o.operatorId;
  }

  function renderStream(ss) {
    const body = document.querySelector('#stream-table tbody');
    const evs = ((ss && ss.recentEvents) || []).filter(Boolean).slice().reverse();
    if (!evs.length) {
      body.replaceChildren(el('tr', null, el('td', { colspan: 8, class: 'empty' }, 'No events.')));
      return;
    }
    body.replaceChildren(...evs.map((e) => el('tr', { 'data-event-id': e.eventId },
      el('td', null, clock(e.timestamp)),
      el('th', { scope: 'row' }, e.eventId),
      el('td', null, e.category),
      el('td', null, e.eventType),
      el('td', null, badge('sev', e.severity)),
      el('td', null, e.entityId || '–'),
      el('td', { class: 'operator' }, operatorText(e)),
      el('td', null, (e.scope && e.scope.facilityId) || '–'))));
  }

  function renderSLA(res, ss) {
    const m = metric(res, 'sla-countdown');
    const by = (m && m.breakdown && m.breakdown.byStatus) || {};
    if (m) {
      dlItems($('sla-counts'), [
        ['Timers', fmt(m.value), 'value'],
        ['Breach', fmt(by.breach), 'breach'],
        ['Warning', fmt(by.warning), 'warning'],
        ['OK', fmt(by.ok), 'ok'],
      ]);
    } else {
      $('sla-counts').replaceChildren();
    }
    const body = document.querySelector('#sla-table tbody');
    const timers = (ss && ss.slaCountdowns) || [];
    if (!timers.length) {
      body.replaceChildren(el('tr', null, el('td', { colspan: 8, class: 'empty' }, 'No open timers.')));
      return;
    }
    body.replaceChildren(...timers.map((t) => el('tr', { 'data-entity-id': t.entityId, 'data-status': t.status },
      el('td', null, badge('st', t.status)),
      el('th', { scope: 'row' }, t.entityId),
      el('td', null, t.entityType),
      el('td', null, badge('sev', t.severity)),
      el('td', { class: 'remaining', 'data-hours': t.timeRemainingHours }, hours(t.timeRemainingHours)),
      el('td', { class: 'threshold' }, fmt(t.slaThresholdHours) + ' h'),
      el('td', null, clock(t.startTime)),
      el('td', null, operatorText(t)))));
  }

  function renderWorkload(ss) {
    const rows = (ss && ss.workloadState) || [];
    if (!rows.length) {
      $('operators').replaceChildren(el('p', { class: 'empty' }, 'No operator you may see holds an assigned task.'));
      return;
    }
    $('operators').replaceChildren(...rows.map((o) => {
      const max = Math.max(1, ...SEVERITIES.map((s) => o.bySeverity[s] || 0));
      return el('article', { class: 'card', 'data-operator-id': o.operatorId },
        el('h3', null, o.operatorName || o.operatorId),
        el('p', { class: 'help' }, o.operatorId),
        el('p', { class: 'figure' }, el('span', { class: 'value' }, fmt(o.activeTasks)),
          el('span', { class: 'unit' }, 'active tasks')),
        el('p', { class: 'critical' }, 'Critical: ' + o.criticalTasks),
        el('dl', { class: 'sevbars' }, SEVERITIES.map((s) => {
          const n = o.bySeverity[s] || 0;
          const bar = el('div', { class: 'bar sev-' + s, 'aria-hidden': 'true' });
          bar.style.width = (n / max * 100) + '%';
          return [el('dt', null, title(s)), el('dd', null, bar), el('dd', { 'data-severity': s }, String(n))];
        })));
    }));
  }

  function renderTrends(res, ss) {
    const ts = metric(res, 'trend-signal');
    const chart = $('chart-body');
    if (ts && Array.isArray(ts.breakdown.perMinute)) {
      chart.replaceChildren(drawChart(ts.breakdown.perMinute, ts.trend));
    } else {
      const o = res && (res.omitted || []).find((x) => x.category === 'trend-signal');
      chart.replaceChildren(el('p', { class: 'empty' }, o
        ? 'Not shown: ' + o.rule + ' (' + o.reason + ')' : 'No trend data.'));
    }
    const recent = (ts && ts.breakdown.byCategory) || null;
    const total = (ss && ss.rollingMetrics && ss.rollingMetrics.eventsByCategory) || null;
    const body = document.querySelector('#category-table tbody');
    if (!recent && !total) {
      body.replaceChildren(el('tr', null, el('td', { colspan: 3, class: 'empty' }, 'No data.')));
      return;
    }
    // The monitor sends every category key; their union keeps it so.
    const cats = [...new Set([...Object.keys(recent || {}), ...Object.keys(total || {})])].sort();
    body.replaceChildren(...cats.map((c) => el('tr', { 'data-category': c },
      el('th', { scope: 'row' }, c),
      el('td', { class: 'num recent' }, recent ? fmt(recent[c] || 0) : '–'),
      el('td', { class: 'num total' }, total ? fmt(total[c] || 0) : '–'))));
  }

  // drawChart draws the five one-minute buckets as labelled bars, with a
  // table-like text alternative in the SVG's title.
  function drawChart(per, trend) {
    const W = 500, H = 220, pad = 30, bw = (W - 2 * pad) / per.length;
    const max = Math.max(1, ...per);
    const labels = per.map((_, i) => i === per.length - 1 ? 'last min' : '-' + (per.length - i) + ' min');
    const desc = 'Events per minute, oldest first: ' +
      per.map((v, i) => labels[i] + ' ' + fmt(v)).join(', ') +
      (trend ? '. Trend ' + trend.direction + ' (' + fmt(trend.changeRate) + '%).' : '.');
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': desc, id: 'trend-chart' },
      svg('title', null, desc),
      svg('line', { class: 'axis', x1: pad, y1: H - pad, x2: W - pad, y2: H - pad }));
    per.forEach((v, i) => {
      const h = (H - 2 * pad - 14) * v / max;
      const x = pad + i * bw + bw * 0.15;
      s.append(
        svg('rect', { class: 'bar-rect', x, y: H - pad - h, width: bw * 0.7, height: Math.max(h, 1), 'data-value': v }),
        svg('text', { x: x + bw * 0.35, y: H - pad - h - 4, 'text-anchor': 'middle', class: 'bar-label' }, fmt(v)),
        svg('text', { x: x + bw * 0.35, y: H - pad + 16, 'text-anchor': 'middle' }, labels[i]));
    });
    return s;
  }

  function renderHealth(h, st) {
    const sh = h && h.streamHealth;
    if (!sh) {
      $('health-list').replaceChildren(el('p', { class: 'empty' }, 'No health to show.'));
      document.querySelector('#rejections-table tbody').replaceChildren();
      document.querySelector('#consumers-table tbody').replaceChildren();
      $('stats-list').replaceChildren();
      return;
    }
    dlItems($('health-list'), [
      ['Monitor status', h.status, 'status'],
      ['Active', sh.isActive ? 'Yes: events in the last 5 min' : 'No: quiet for 5 min', 'isActive'],
      ['Last event received', clock(sh.lastEventReceived), 'lastEventReceived'],
      ['Event lag', fmt(sh.eventLag) + ' ms', 'eventLag'],
      ['Missed events', fmt(sh.missedEvents), 'missedEvents'],
      ['Duplicates', fmt(sh.duplicates), 'duplicates'],
      ['Orphans', fmt(sh.orphans), 'orphans'],
      ['Late transitions', fmt(sh.lateTransitions), 'lateTransitions'],
      ['Consumer backlog', fmt(sh.pending) + ' pending', 'pending'],
    ]);
    const rej = Object.entries(sh.rejectedByReason || {}).sort();
    document.querySelector('#rejections-table tbody').replaceChildren(...rej.map(([k, v]) =>
      el('tr', { 'data-reason': k }, el('th', { scope: 'row' }, k), el('td', { class: 'num' }, fmt(v)))));
    document.querySelector('#consumers-table tbody').replaceChildren(...(h.consumers || []).map((c) =>
      el('tr', { 'data-consumer': c.category }, el('th', { scope: 'row' }, c.category),
        el('td', { class: 'num' }, fmt(c.pending)), el('td', { class: 'num' }, fmt(c.ackPending)),
        el('td', { class: 'num' }, fmt(c.redelivered)))));
    if (st && st.totals) {
      const t = st.totals;
      dlItems($('stats-list'), [
        ['Events received', fmt(t.eventsReceived), 'eventsReceived'],
        ['Metrics computed', fmt(t.metricsComputed), 'metricsComputed'],
        ['Policy allowed', fmt(t.policyAllowed), 'policyAllowed'],
        ['Policy denied', fmt(t.policyDenied), 'policyDenied'],
        ['Errors', fmt(t.errors), 'errors'],
      ]);
    } else {
      $('stats-list').replaceChildren(el('p', { class: 'empty' },
        'Totals not shown: ' + ((st && st.denied) || 'no data') + ' (needs realtime:audit-read).'));
    }
  }

  // ---- wiring -----------------------------------------------------------

  function init() {
    $('signin').addEventListener('submit', (e) => {
      e.preventDefault();
      const tok = $('token').value.trim();
      if (tok) signIn(tok, $('remember').checked);
    });
    $('signout').addEventListener('click', () => signOut(''));
    $('refresh').addEventListener('click', () => refresh('manual'));
    $('scope').addEventListener('submit', (e) => {
      e.preventDefault();
      state.scope = {
        tenantId: $('scope-tenant').value.trim(),
        facilityId: $('scope-facility').value.trim(),
        federationId: $('scope-federation').value.trim(),
      };
      if (state.scope.tenantId !== (state.result && state.result.query.scope.tenantId)) {
        state.facilities.clear();
        state.federations.clear();
      }
      restart();
    });
    for (const b of document.querySelectorAll('.views button')) {
      b.addEventListener('click', () => showView(b.dataset.view, true));
    }
    window.addEventListener('hashchange', () => {
      const v = viewFromHash();
      if (v && v !== state.view) showView(v, false);
    });
    setInterval(tick, 1000);
    render();
    const saved = sessionStorage.getItem(STORE_KEY);
    if (saved) signIn(saved, true);
    else $('token').focus();
  }

  init();
})();
