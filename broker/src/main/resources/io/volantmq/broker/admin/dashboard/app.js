// VolantMQ dashboard: plain DOM, hash routes, every /api call with the credentials typed at login
// (kept in sessionStorage, never in a URL). Text from the broker is set with textContent only.
'use strict';
(function () {
  const main = document.getElementById('main');
  const nav = document.getElementById('nav');
  const WINDOW_MS = 15 * 60 * 1000, SAMPLE_MS = 2000, PAGE = 20;
  const samples = []; // {t, connected, subscriptions, retained, queued, inRate, outRate}
  const FEATURES_MS = 5000; // bridges and cluster: read every 5 s, not with every stats sample
  let last = null, sampler = null, latest = null, trace = null;
  let features = { t: 0, bridges: null, cluster: null }; // null: not read yet

  // ---------------------------------------------------------------- helpers

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v === true) e.setAttribute(k, '');
      else if (v !== false && v != null) e.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c != null) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const show = (...nodes) => main.replaceChildren(...nodes);
  const msg = (kind, text) => el('div', { class: 'msg ' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
  const enc = encodeURIComponent;

  function table(headers, rows, id) {
    return el('div', { class: 'scroll' }, el('table', { id },
      el('thead', {}, el('tr', {}, headers.map(h => el('th', {}, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'none')))));
  }

  function duration(s) {
    const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
  }
  const when = iso => iso ? new Date(iso).toLocaleString() : '';
  const dash = v => v == null ? '–' : v;

  // ---------------------------------------------------------------- credentials and the API

  const auth = () => sessionStorage.getItem('volantmq.auth');

  async function api(method, path, body) {
    const headers = { 'Authorization': auth(), 'X-VolantMQ-Dashboard': '1' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit' });
    let data = null;
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    if (r.status === 401) {
      const why = 'the broker refused the credentials (' + (data && data.error || 'unauthorized') + ')';
      if (nav.hidden === false) logout('Logged out: ' + why + '.'); // they stopped working: log in again
      throw new Error(why);
    }
    if (!r.ok) throw Object.assign(new Error((data && data.error) || ('HTTP ' + r.status)), { status: r.status });
    return data;
  }

  function logout(reason) {
    sessionStorage.removeItem('volantmq.auth');
    if (sampler) clearInterval(sampler);
    sampler = null; last = null; samples.length = 0; features = { t: 0, bridges: null, cluster: null };
    stopTrace();
    loginPage(reason);
  }

  function loginPage(reason) {
    nav.hidden = true;
    const error = el('div');
    const token = el('input', { id: 'login-token', type: 'password', autocomplete: 'off' });
    const user = el('input', { id: 'login-user', autocomplete: 'username' });
    const pass = el('input', { id: 'login-password', type: 'password', autocomplete: 'current-password' });
    const form = el('form', { class: 'stack login', id: 'login', onsubmit: async e => {
      e.preventDefault();
      let header;
      if (token.value) header = 'Bearer ' + token.value;
      else if (user.value && pass.value) header = 'Basic ' + btoa(String.fromCharCode(
        ...new TextEncoder().encode(user.value + ':' + pass.value)));
      else { error.replaceChildren(msg('error', 'Enter the admin token, or an admin user and password.')); return; }
      if (user.value.includes(':')) { error.replaceChildren(msg('error', 'A user name cannot contain ":".')); return; }
      sessionStorage.setItem('volantmq.auth', header);
      try {
        await api('GET', '/api/stats');
        start();
      } catch (err) {
        sessionStorage.removeItem('volantmq.auth');
        error.replaceChildren(msg('error', 'Login failed: ' + err.message));
      }
    } },
    el('h1', {}, 'Log in'),
    el('label', {}, 'Admin token (volantmq.adminToken)', token),
    el('p', { class: 'muted' }, 'or an admin user (volantmq.adminAuth):'),
    el('label', {}, 'User', user), el('label', {}, 'Password', pass),
    el('button', { type: 'submit', id: 'login-submit' }, 'Log in'), error);
    show(form);
    if (reason) error.replaceChildren(msg('error', reason));
  }

  // ---------------------------------------------------------------- stats sampling (kept 15 minutes)

  async function sample() {
    try {
      const s = await api('GET', '/api/stats');
      const t = Date.now();
      const rate = (now, before) => last ? Math.max(0, (now - before) / ((t - last.t) / 1000)) : 0;
      samples.push({ t, connected: s.connected, subscriptions: s.subscriptions, retained: s.retained,
        queued: s.queued || 0, inRate: rate(s.messagesReceived, last && last.in),
        outRate: rate(s.messagesSent, last && last.out) });
      while (samples.length && samples[0].t < t - WINDOW_MS) samples.shift();
      last = { t, in: s.messagesReceived, out: s.messagesSent };
      latest = s;
      if (t - features.t >= FEATURES_MS) await readFeatures(t);
      if (route().page === 'overview') renderOverview();
    } catch (e) { /* shown on the next page load; a 401 logs out */ }
  }

  // Bridges and cluster: {on, data} or {error}. /api/bridges is 404 when the bridge module does not run;
  // /api/cluster says cluster "none" on a single node.
  async function readFeatures(t) {
    features.t = t;
    const read = async (path, on) => {
      try {
        const data = await api('GET', path);
        return { on: on(data), data };
      } catch (e) {
        if (e.status === 404) return { on: false };
        return { error: e.message };
      }
    };
    features.bridges = await read('/api/bridges', d => Array.isArray(d) && d.length > 0);
    features.cluster = await read('/api/cluster', d => d && d.cluster !== 'none');
  }

  function bridgesPanel() {
    const f = features.bridges;
    const body = !f ? el('p', { class: 'muted' }, 'Loading…')
      : f.error ? msg('error', 'Bridges: ' + f.error)
      : !f.on ? el('p', { class: 'muted', id: 'bridges-off' }, 'no bridges configured')
      : table(['bridge', 'connected', 'queued', 'sent', 'failed', 'last error'], f.data.map(b =>
        el('tr', { 'data-bridge': b.name }, el('td', {}, b.name),
          el('td', {}, el('span', { class: 'pill ' + (b.connected ? 'on' : 'off') }, b.connected ? 'yes' : 'no')),
          el('td', {}, dash(b.queued)), el('td', {}, dash(b.sent)), el('td', {}, dash(b.failed)),
          el('td', { class: 'wrap', title: b.lastErrorAt ? when(b.lastErrorAt) : false }, dash(b.lastError)))), 'bridges');
    return el('section', { id: 'bridges-panel' }, el('h2', {}, 'Bridges'), body);
  }

  function clusterPanel() {
    const f = features.cluster;
    let body;
    if (!f) body = el('p', { class: 'muted' }, 'Loading…');
    else if (f.error) body = msg('error', 'Cluster: ' + f.error);
    else if (!f.on) body = el('p', { class: 'muted', id: 'cluster-off' }, 'single node');
    else {
      const c = f.data, nodes = Array.isArray(c.nodes) ? c.nodes : [];
      // the broker lists the live nodes only: this node is shown even when it is not (yet, or any longer) live
      const names = nodes.includes(c.node) ? nodes : [c.node, ...nodes];
      body = [
        el('p', {}, 'This node: ', el('code', {}, c.node), c.fenced ? ' (fenced: cut off from the cluster)' : ''),
        table(['node', 'live', ''], names.map(n => el('tr', { 'data-node': n }, el('td', { class: 'wrap' }, n),
          el('td', {}, el('span', { class: 'pill ' + (nodes.includes(n) ? 'on' : 'off') }, nodes.includes(n) ? 'yes' : 'no')),
          el('td', { class: 'muted' }, n === c.node ? 'this node' : ''))), 'cluster-nodes'),
        el('div', { class: 'cards', id: 'cluster-traffic' },
          ...[['Owned clients', c.ownedClients], ['Forwarded in', c.forwardedIn], ['Forwarded out', c.forwardedOut],
            ['Inbox length', c.inboxLength < 0 ? 'unknown' : c.inboxLength]].map(([k, v]) =>
            el('div', { class: 'card' }, el('div', { class: 'label' }, k), el('div', { class: 'value' }, dash(v)))))];
    }
    return el('section', { id: 'cluster-panel' }, el('h2', {}, 'Cluster'), body);
  }

  // ---------------------------------------------------------------- pages

  function overviewPage() {
    show(el('h1', {}, 'Overview'), el('div', { id: 'overview' }, latest ? '' : el('p', { class: 'muted' }, 'Loading…')));
    if (latest) renderOverview();
  }

  function renderOverview() {
    const box = document.getElementById('overview');
    if (!box || !latest) return;
    box.dataset.samples = samples.length; // how much history the charts have (the browser test waits on it)
    const s = latest, now = samples.length ? samples[samples.length - 1] : {};
    const card = (label, value, id) => el('div', { class: 'card', id }, el('div', { class: 'label' }, label),
      el('div', { class: typeof value === 'number' || /^[\d.]+$/.test(value) ? 'value' : 'value text' }, value));
    const charts = [
      ['Connections', [['connected', '#1f5f8b', 'connected']]],
      ['Subscriptions', [['subscriptions', '#7b3fa0', 'subscriptions']]],
      ['Retained messages', [['retained', '#b06a00', 'retained']]],
      ['Messages per second', [['in', '#1e7b34', 'inRate'], ['out', '#b3261e', 'outRate']]]];
    const canvases = charts.map(() => el('canvas'));
    const dropped = Object.entries(s.dropped || {});
    box.replaceChildren(
      el('div', { class: 'cards' },
        card('Connected clients', s.connected, 'stat-connected'), card('Sessions', s.sessions),
        card('Subscriptions', s.subscriptions), card('Retained', s.retained),
        card('Messages in/s', (now.inRate || 0).toFixed(1)), card('Messages out/s', (now.outRate || 0).toFixed(1)),
        card('Queued messages', dash(s.queued)),
        card('Store', s.store.healthy ? 'healthy' : 'failing: ' + (s.store.lastError || '')),
        card('Uptime', duration(s.uptimeSeconds)), card('Version', s.version), card('Node', s.node)),
      el('div', { class: 'charts' }, charts.map(([title], i) =>
        el('div', { class: 'chart' }, el('div', { class: 'title' }, title + ' (up to 15 minutes)'), canvases[i]))),
      el('h2', {}, 'Dropped messages by cause'),
      table(['cause', 'messages'], dropped.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v)))),
      el('h2', {}, 'Listeners'),
      table(['listener', 'clients'], s.listeners.map(l => el('tr', {}, el('td', {}, l.name), el('td', {}, l.clients)))),
      bridgesPanel(), clusterPanel(),
      el('p', { class: 'muted' }, 'Store failed calls: ' + s.store.failedCalls + '. Running traces: ' + s.traces + '.'));
    const tNow = Date.now();
    charts.forEach(([, lines], i) => window.lineChart(canvases[i],
      lines.map(([label, color, key]) => ({ label, color, points: samples.map(p => [p.t, p[key]]) })), WINDOW_MS, tNow));
  }

  async function clientsPage(params) {
    const q = params.get('q') || '', offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
    const search = el('input', { id: 'client-search', type: 'search', value: q, placeholder: 'part of a client id' });
    const form = el('form', { class: 'row', onsubmit: e => { e.preventDefault(); go('clients', { q: search.value }); } },
      el('label', {}, 'Search', search), el('button', { type: 'submit' }, 'Search'));
    show(el('h1', {}, 'Clients'), form, el('p', { class: 'muted' }, 'Loading…'));
    let data;
    try { data = await api('GET', '/api/clients?limit=' + PAGE + '&offset=' + offset + (q ? '&q=' + enc(q) : '')); }
    catch (e) { show(el('h1', {}, 'Clients'), form, msg('error', e.message)); return; }
    const rows = data.clients.map(c => el('tr', { 'data-client': c.clientId },
      el('td', { class: 'wrap' }, el('a', { href: '#/client/' + enc(c.clientId) }, c.clientId)),
      el('td', {}, el('span', { class: 'pill ' + (c.online ? 'on' : 'off') }, c.online ? 'online' : 'offline')),
      el('td', {}, dash(c.username)), el('td', {}, dash(c.address)), el('td', {}, dash(c.protocol)),
      el('td', {}, dash(c.listener)), el('td', {}, when(c.connectedAt)), el('td', {}, c.inflight),
      el('td', {}, dash(c.queued))));
    const pager = el('div', { class: 'row' },
      el('button', { type: 'button', class: 'secondary', disabled: offset === 0,
        onclick: () => go('clients', { q, offset: Math.max(0, offset - PAGE) }) }, '‹ Previous'),
      el('span', { class: 'muted' }, data.total ? (offset + 1) + '–' + (offset + data.clients.length) + ' of ' + data.total : '0 clients'),
      el('button', { type: 'button', class: 'secondary', disabled: offset + PAGE >= data.total,
        onclick: () => go('clients', { q, offset: offset + PAGE }) }, 'Next ›'));
    show(el('h1', {}, 'Clients'), form, table(['client id', 'status', 'user', 'address', 'protocol', 'listener',
      'connected since', 'in-flight', 'queued'], rows, 'clients'), pager);
  }

  // notice: what the last action did, shown above the page
  async function clientPage(id, notice) {
    const title = el('h1', {}, 'Client ', el('code', {}, id));
    const status = el('div', { id: 'client-status' }, notice ? msg('ok', notice) : null);
    show(title, el('p', { class: 'muted' }, 'Loading…'));
    let c;
    try { c = await api('GET', '/api/clients/' + enc(id)); }
    catch (e) { show(title, status, msg('error', e.message)); return; }
    const confirmBox = el('div');
    const kick = el('button', { type: 'button', class: 'danger', id: 'kick', disabled: !c.online, onclick: () => {
      confirmBox.replaceChildren(el('div', { class: 'confirm', id: 'kick-confirm' },
        el('p', {}, 'Disconnect ' + id + '? The client gets DISCONNECT 0x98 (administrative action) and may reconnect.'),
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'danger', id: 'kick-yes', onclick: async () => {
            confirmBox.replaceChildren();
            try {
              await api('POST', '/api/clients/' + enc(id) + '/disconnect', {});
            } catch (e) { status.replaceChildren(msg('error', 'Not disconnected: ' + e.message)); return; }
            await clientPage(id, 'Disconnected ' + id + '.');
          } }, 'Yes, disconnect'),
          el('button', { type: 'button', class: 'secondary', onclick: () => confirmBox.replaceChildren() }, 'Cancel'))));
    } }, 'Kick (disconnect)');
    const field = (k, v) => [el('dt', {}, k), el('dd', {}, v == null ? '–' : String(v))];
    show(title, status,
      el('dl', { id: 'client-details' },
        field('Status', c.online ? 'online' : 'offline'), field('User', c.username), field('Address', c.address),
        field('Protocol', c.protocol), field('Listener', c.listener), field('Connected since', when(c.connectedAt)),
        field('Disconnected at', when(c.disconnectedAt)), field('Keep alive (s)', c.keepAlive),
        field('Session expiry (s)', c.sessionExpiry), field('In-flight', c.inflight), field('Queued', c.queued)),
      el('div', { class: 'row' }, kick, el('a', { href: '#/clients' }, 'Back to clients')), confirmBox,
      el('h2', {}, 'Subscriptions'),
      table(['filter', 'QoS', 'no local', 'retain as published', 'subscription id', 'share group'],
        c.subscriptions.map(s => el('tr', {}, el('td', { class: 'wrap' }, s.filter), el('td', {}, s.qos),
          el('td', {}, s.noLocal ? 'yes' : 'no'), el('td', {}, s.retainAsPublished ? 'yes' : 'no'),
          el('td', {}, dash(s.subscriptionId)), el('td', {}, dash(s.shareGroup)))), 'client-subscriptions'));
  }

  async function subscriptionsPage(params) {
    const client = params.get('client') || '', topic = params.get('topic') || '';
    const ci = el('input', { id: 'sub-client', value: client, placeholder: 'exact client id' });
    const ti = el('input', { id: 'sub-topic', value: topic, placeholder: 'a topic, e.g. sensors/1/temp' });
    const error = el('div');
    const form = el('form', { class: 'row', onsubmit: e => {
      e.preventDefault();
      const problem = ti.value && topicProblem(ti.value);
      if (problem) { error.replaceChildren(msg('error', 'Topic: ' + problem)); return; }
      go('subscriptions', { client: ci.value, topic: ti.value });
    } }, el('label', {}, 'Client id', ci), el('label', {}, 'Matching topic', ti), el('button', { type: 'submit' }, 'Show'));
    show(el('h1', {}, 'Subscriptions'), form, error);
    let data;
    try {
      data = await api('GET', '/api/subscriptions?limit=500' + (client ? '&client=' + enc(client) : '')
        + (topic ? '&topic=' + enc(topic) : ''));
    } catch (e) { error.replaceChildren(msg('error', e.message)); return; }
    main.append(el('p', { class: 'muted' }, 'Showing ' + data.subscriptions.length + ' of ' + data.total + '.'),
      table(['client id', 'filter', 'QoS', 'share group', 'no local', 'retain as published'],
        data.subscriptions.map(s => el('tr', {},
          el('td', { class: 'wrap' }, el('a', { href: '#/client/' + enc(s.clientId) }, s.clientId)),
          el('td', { class: 'wrap' }, s.filter), el('td', {}, s.qos), el('td', {}, dash(s.shareGroup)),
          el('td', {}, s.noLocal ? 'yes' : 'no'), el('td', {}, s.retainAsPublished ? 'yes' : 'no'))), 'subscriptions'));
  }

  async function retainedPage(params, notice) {
    const filter = params.get('filter') || '#';
    const fi = el('input', { id: 'retained-filter', value: filter });
    const status = el('div', { id: 'retained-status' }, notice ? msg('ok', notice) : null);
    const form = el('form', { class: 'row', onsubmit: e => {
      e.preventDefault();
      const problem = filterProblem(fi.value);
      if (problem) { status.replaceChildren(msg('error', 'Topic filter: ' + problem)); return; }
      go('retained', { filter: fi.value });
    } }, el('label', {}, 'Topic filter', fi), el('button', { type: 'submit' }, 'Show'));
    show(el('h1', {}, 'Retained messages'), form, status);
    let data;
    try { data = await api('GET', '/api/retained?limit=500&filter=' + enc(filter)); }
    catch (e) { status.replaceChildren(msg('error', e.message)); return; }
    const rows = data.messages.map(m => {
      const cell = el('td');
      cell.append(el('button', { type: 'button', class: 'danger', 'data-topic': m.topic, onclick: () => {
        cell.replaceChildren(el('span', { class: 'confirm' }, 'Delete? ',
          el('button', { type: 'button', class: 'danger', 'data-confirm': m.topic, onclick: async () => {
            try {
              await api('DELETE', '/api/retained?topic=' + enc(m.topic));
            } catch (e) { status.replaceChildren(msg('error', 'Not deleted: ' + e.message)); return; }
            await retainedPage(params, 'Deleted the retained message on ' + m.topic + '.');
          } }, 'Yes, delete'), ' ',
          el('button', { type: 'button', class: 'secondary', onclick: () => retainedPage(params) }, 'Cancel')));
      } }, 'Delete'));
      return el('tr', { 'data-topic': m.topic }, el('td', { class: 'wrap' }, m.topic), el('td', {}, m.qos),
        el('td', {}, m.bytes), el('td', { class: 'wrap' }, m.payload == null ? '(binary) ' + m.payloadBase64.slice(0, 80)
          : m.payload.slice(0, 200)), el('td', {}, when(m.createdAt)), cell);
    });
    main.append(el('p', { class: 'muted' }, 'Showing ' + data.messages.length + ' of ' + data.total
      + ' (a filter starting with a wildcard does not match $ topics).'),
      table(['topic', 'QoS', 'bytes', 'payload', 'stored', ''], rows, 'retained'));
  }

  // ---------------------------------------------------------------- publish

  const utf8Length = s => new TextEncoder().encode(s).length;

  function topicProblem(t) {
    if (!t) return 'required.';
    if (/[+#]/.test(t)) return 'a topic name cannot contain the wildcards + or #.';
    if (t.includes('\u0000')) return 'must not contain U+0000.';
    if (utf8Length(t) > 65535) return 'longer than 65535 bytes.';
    return null;
  }

  function filterProblem(f) {
    if (!f) return 'required.';
    const levels = f.split('/');
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i];
      if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return '# must be the whole last level.';
      if (l.includes('+') && l !== '+') return '+ must be a whole level.';
    }
    if (f.startsWith('$share/')) return 'shared subscription filters are not topic filters here.';
    return null;
  }

  function publishPage() {
    const f = {
      topic: el('input', { id: 'pub-topic', placeholder: 'e.g. test/hello' }),
      payload: el('textarea', { id: 'pub-payload' }),
      qos: el('select', { id: 'pub-qos' }, el('option', { value: '0' }, '0'), el('option', { value: '1' }, '1'),
        el('option', { value: '2' }, '2')),
      retain: el('input', { id: 'pub-retain', type: 'checkbox' }),
      contentType: el('input', { id: 'pub-content-type' }),
      responseTopic: el('input', { id: 'pub-response-topic' }),
      correlation: el('input', { id: 'pub-correlation' }),
      expiry: el('input', { id: 'pub-expiry', inputmode: 'numeric', placeholder: 'seconds, empty: never' }),
      utf8: el('input', { id: 'pub-utf8', type: 'checkbox' }),
      user: el('textarea', { id: 'pub-user', placeholder: 'name=value, one per line' })
    };
    const result = el('div', { id: 'pub-result' });
    const form = el('form', { class: 'stack', id: 'publish', novalidate: true, onsubmit: async e => {
      e.preventDefault();
      const problems = [];
      const tp = topicProblem(f.topic.value);
      if (tp) problems.push('Topic: ' + tp);
      if (utf8Length(f.payload.value) > 65000) problems.push('Payload: at most 65,000 bytes from this form.');
      const properties = {};
      if (f.contentType.value) properties.contentType = f.contentType.value;
      if (f.responseTopic.value) {
        const rp = topicProblem(f.responseTopic.value);
        if (rp) problems.push('Response topic: ' + rp); else properties.responseTopic = f.responseTopic.value;
      }
      if (f.correlation.value) properties.correlationData = f.correlation.value;
      if (f.expiry.value.trim()) {
        const n = Number(f.expiry.value.trim());
        if (!/^\d+$/.test(f.expiry.value.trim()) || n < 1 || n > 4294967295) {
          problems.push('Message expiry: a whole number of seconds, 1 to 4294967295.');
        } else properties.messageExpiryInterval = n;
      }
      if (f.utf8.checked) properties.payloadFormatIndicator = 1;
      const pairs = [];
      f.user.value.split('\n').map(l => l.trim()).filter(l => l).forEach((line, i) => {
        const eq = line.indexOf('=');
        if (eq <= 0) problems.push('User property line ' + (i + 1) + ': write name=value.');
        else pairs.push({ name: line.slice(0, eq), value: line.slice(eq + 1) });
      });
      if (pairs.length > 64) problems.push('User properties: at most 64.');
      if (pairs.length) properties.userProperties = pairs;
      if (problems.length) {
        result.replaceChildren(msg('error', 'Not sent. ' + problems.join(' ')));
        return;
      }
      const body = { topic: f.topic.value, payload: f.payload.value, qos: Number(f.qos.value), retain: f.retain.checked };
      if (Object.keys(properties).length) body.properties = properties;
      try {
        const r = await api('POST', '/api/publish', body);
        result.replaceChildren(msg('ok', 'Published ' + r.bytes + ' bytes to ' + r.topic + ' (QoS ' + r.qos
          + (r.retain ? ', retained' : '') + '): ' + (r.routed ? 'delivered to subscribers.' : 'no subscriber matched.')));
      } catch (err) { result.replaceChildren(msg('error', 'Not published: ' + err.message)); }
    } },
    el('label', {}, 'Topic', f.topic), el('label', {}, 'Payload (text)', f.payload),
    el('div', { class: 'row' }, el('label', {}, 'QoS', f.qos), el('label', { class: 'check' }, f.retain, 'Retain')),
    el('fieldset', {}, el('legend', {}, 'MQTT 5 properties (optional)'),
      el('label', {}, 'Content type', f.contentType), el('label', {}, 'Response topic', f.responseTopic),
      el('label', {}, 'Correlation data (text)', f.correlation), el('label', {}, 'Message expiry interval (s)', f.expiry),
      el('label', { class: 'check' }, f.utf8, 'Payload is UTF-8 text (payload format indicator 1)'),
      el('label', {}, 'User properties', f.user)),
    el('button', { type: 'submit', id: 'pub-send' }, 'Publish'), result);
    show(el('h1', {}, 'Publish'), el('p', { class: 'muted' }, 'Publishes as the administrator ($admin); subscribers\' ACLs apply.'), form);
  }

  // ---------------------------------------------------------------- trace (long poll, bounded by the broker)

  function stopTrace() {
    if (trace && trace.id) api('DELETE', '/api/trace/' + trace.id).catch(() => {});
    trace = null;
  }

  function tracePage() {
    const mode = el('select', { id: 'trace-mode' }, el('option', { value: 'filter' }, 'topic filter'),
      el('option', { value: 'clientId' }, 'publishing client id'));
    const value = el('input', { id: 'trace-value', placeholder: 'e.g. sensors/#' });
    const seconds = el('input', { id: 'trace-seconds', value: '60', inputmode: 'numeric' });
    const max = el('input', { id: 'trace-max', value: '100', inputmode: 'numeric' });
    const status = el('div', { id: 'trace-status' });
    const body = el('tbody');
    const stop = el('button', { type: 'button', class: 'secondary', id: 'trace-stop', disabled: true, onclick: () => {
      stopTrace(); stop.disabled = true; status.replaceChildren(msg('ok', 'Stopped.'));
    } }, 'Stop');
    const form = el('form', { class: 'row', onsubmit: async e => {
      e.preventDefault();
      const s = Number(seconds.value), m = Number(max.value);
      const problem = !value.value ? 'Enter a topic filter or a client id.'
        : mode.value === 'filter' && filterProblem(value.value) ? 'Topic filter: ' + filterProblem(value.value)
        : !Number.isInteger(s) || s < 1 || s > 600 ? 'Seconds: a whole number, 1 to 600.'
        : !Number.isInteger(m) || m < 1 || m > 1000 ? 'Messages: a whole number, 1 to 1000.' : null;
      if (problem) { status.replaceChildren(msg('error', problem)); return; }
      stopTrace();
      body.replaceChildren();
      try {
        const t = await api('POST', '/api/trace', { [mode.value]: value.value, seconds: s, max: m });
        trace = { id: t.id };
        stop.disabled = false;
        status.replaceChildren(msg('ok', 'Tracing until ' + when(t.endsAt) + ' or ' + t.max + ' messages.'));
        poll(trace, body, status, stop);
      } catch (err) { status.replaceChildren(msg('error', err.message)); }
    } }, el('label', {}, 'Trace by', mode), el('label', {}, 'Filter or client id', value),
    el('label', {}, 'Seconds (≤ 600)', seconds), el('label', {}, 'Messages (≤ 1000)', max),
    el('button', { type: 'submit', id: 'trace-start' }, 'Start'), stop);
    show(el('h1', {}, 'Live message trace'),
      el('p', { class: 'muted' }, 'Off until you start it; the broker ends it after the time or message count.'),
      form, status, el('div', { class: 'scroll' }, el('table', { id: 'trace' }, el('thead', {}, el('tr', {},
        ['time', 'from', 'topic', 'QoS', 'retain', 'bytes', 'payload'].map(h => el('th', {}, h)))), body)));
  }

  async function poll(t, body, status, stop) {
    while (trace === t) {
      let r;
      try { r = await api('GET', '/api/trace/' + t.id + '?wait=20'); }
      catch (e) { if (trace === t) { status.replaceChildren(msg('error', e.message)); trace = null; stop.disabled = true; } return; }
      for (const m of r.messages) {
        body.prepend(el('tr', {}, el('td', {}, new Date(m.at).toLocaleTimeString()), el('td', {}, m.from),
          el('td', { class: 'wrap' }, m.topic), el('td', {}, m.qos), el('td', {}, m.retain ? 'yes' : 'no'),
          el('td', {}, m.bytes), el('td', { class: 'wrap' }, (m.payload == null ? '(binary)' : m.payload)
            + (m.truncated ? '…' : ''))));
        while (body.children.length > 500) body.lastChild.remove();
      }
      if (trace !== t) return; // stopped, or another trace started: their status stands
      if (r.ended) {
        trace = null; stop.disabled = true;
        status.replaceChildren(msg('ok', 'Trace ended: ' + r.seen + ' messages seen'
          + (r.droppedRecords ? ', ' + r.droppedRecords + ' not shown (too many at once)' : '') + '.'));
        return;
      }
    }
  }

  // ---------------------------------------------------------------- routing

  function route() {
    const [path, query] = (location.hash.slice(1) || '/overview').split('?');
    const parts = path.split('/').filter(p => p);
    return { page: parts[0] || 'overview', arg: parts[1] ? decodeURIComponent(parts[1]) : null,
      params: new URLSearchParams(query || '') };
  }

  function go(page, params) {
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null && v !== 0));
    location.hash = '#/' + page + (q.toString() ? '?' + q : '');
  }

  function render() {
    if (!auth()) { loginPage(); return; }
    const r = route();
    if (r.page !== 'trace') stopTrace();
    for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.getAttribute('href') === '#/' + r.page);
    ({ overview: overviewPage, clients: () => clientsPage(r.params), client: () => clientPage(r.arg || ''),
      subscriptions: () => subscriptionsPage(r.params), retained: () => retainedPage(r.params),
      publish: publishPage, trace: tracePage }[r.page] || overviewPage)();
  }

  function start() {
    nav.hidden = false;
    if (!sampler) { sample(); sampler = setInterval(sample, SAMPLE_MS); }
    render();
  }

  document.getElementById('logout').addEventListener('click', () => logout('Logged out.'));
  window.addEventListener('hashchange', () => { if (auth()) render(); });
  window.addEventListener('resize', () => { if (route().page === 'overview') renderOverview(); });
  if (auth()) start(); else loginPage();
})();
