/// The pages' script: reads the view and its parameters from the URL's
/// fragment, polls the JSON API (every `refresh` seconds, default 2; paused
/// while the tab is hidden), and renders the fleet, workload or canary view.
/// Every number shown carries the API's raw value in `data-value`, so a test
/// (or a curious person) can check the page against the API. Errors of the
/// page itself are shown in a banner and counted in `<html data-errors>`.
enum WebScript {
    static let source = #"""
        const App = (() => {
          const root = document.documentElement;
          const errors = [];
          function pageError(text) {
            errors.push(String(text));
            root.dataset.errors = String(errors.length);
            const box = document.getElementById('errors');
            if (box) { box.hidden = false; box.textContent = 'Page error: ' + errors.join(' · '); }
          }
          window.addEventListener('error', e => pageError(e.message || 'script error'));
          window.addEventListener('unhandledrejection', e => pageError((e.reason && e.reason.message) || e.reason));
          document.addEventListener('securitypolicyviolation', e => pageError(`blocked ${e.blockedURI} (${e.violatedDirective})`));

          // ---- formatting ------------------------------------------------------------
          const fmt = {
            rate: v => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + '/s',
            percent: v => (v * 100).toFixed(2) + '%',
            ms: v => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms',
            count: v => Math.round(v).toLocaleString('en-US'),
            age: s => (s < 60 ? s.toFixed(0) + ' s' : (s / 60).toFixed(1) + ' min') + ' ago',
          };
          function h(tag, attrs, ...children) {
            const node = document.createElement(tag);
            for (const [k, v] of Object.entries(attrs || {})) {
              if (v === undefined || v === null || v === false) continue;
              if (k === 'class') node.className = v;
              else if (k === 'data') for (const [dk, dv] of Object.entries(v)) { if (dv !== undefined && dv !== null) node.dataset[dk] = String(dv); }
              else node.setAttribute(k, v === true ? '' : String(v));
            }
            for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
            return node;
          }
          /// A number with its raw value: text for people, data-value for checks.
          function num(value, format, data) {
            const shown = value === null || value === undefined || !Number.isFinite(value) ? '–' : format(value);
            const span = h('span', { data: Object.assign({ value: Number.isFinite(value) ? value : '' }, data) }, shown);
            return span;
          }

          // ---- URL state -------------------------------------------------------------
          function route() {
            const hash = location.hash.replace(/^#/, '') || '/';
            const [path, query] = hash.split('?');
            return { view: path.replace(/^\//, '') || 'fleet', params: new URLSearchParams(query || '') };
          }
          function link(view, params) {
            const q = new URLSearchParams();
            for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
            const s = q.toString();
            return '#/' + (view === 'fleet' ? '' : view) + (s ? '?' + s : '');
          }
          function setParam(name, value) {
            const r = route();
            if (value) r.params.set(name, value); else r.params.delete(name);
            location.hash = link(r.view, Object.fromEntries(r.params));
          }

          // ---- fetching --------------------------------------------------------------
          async function api(path, params) {
            const q = new URLSearchParams();
            for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
            const url = path + (q.toString() ? '?' + q : '');
            let response;
            try {
              response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
            } catch (e) {
              const offline = new Error('cannot reach siskin serve');
              offline.offline = true;
              throw offline;
            }
            const body = await response.json();
            if (!response.ok) {
              const bad = new Error(body.error || `${url}: HTTP ${response.status}`);
              bad.badRequest = response.status === 400;
              throw bad;
            }
            return body;
          }

          function windowControl(params, fallback) {
            const current = params.get('window') || fallback;
            const choices = ['10s', '30s', '1m', '5m', '15m', '1h'];
            if (!choices.includes(current)) choices.unshift(current);
            const select = h('select', { id: 'window', 'aria-label': 'Window' },
              choices.map(c => h('option', { value: c, selected: c === current }, c)));
            select.addEventListener('change', () => setParam('window', select.value));
            return h('label', {}, 'Window', select);
          }
          function timeControl(params) {
            const time = params.get('time');
            if (!time) return h('span', { class: 'muted' }, 'live: the window ends now');
            const button = h('button', { type: 'button' }, 'Go live');
            button.addEventListener('click', () => setParam('time', ''));
            return h('span', {}, `pinned at ${new Date(Number(time) * 1000).toLocaleString()} `, button);
          }
          function form(fields, onSubmit) {
            const f = h('form', { class: 'controls' }, fields.map(([name, label, value]) =>
              h('label', {}, label, h('input', { name, value: value || '', required: name !== 'primary', size: 18 }))),
              h('button', { type: 'submit' }, 'Show'));
            f.addEventListener('submit', e => { e.preventDefault(); onSubmit(Object.fromEntries(new FormData(f))); });
            return f;
          }

          // ---- views -----------------------------------------------------------------
          const views = {};

          views.fleet = {
            title: () => 'Fleet',
            load: p => api('/api/v1/siskin/fleet', { namespace: p.get('namespace'), window: p.get('window') || '1m', time: p.get('time'), step: p.get('step'), points: p.get('points') }),
            render(data, p) {
              const names = new Set(data.workloads.map(x => x.inventory.namespace + '/' + x.inventory.workload));
              const rows = data.workloads.map(x => {
                const w = x.inventory;
                const id = w.namespace + '/' + w.workload;
                const r = x.report, trend = x.trend.points;
                const stale = w.pods - w.freshPods;
                const canaryLink = names.has(id + '-primary')
                  ? h('a', { href: link('canary', { namespace: w.namespace, canary: w.workload, window: p.get('window') || '1m', time: p.get('time') }) }, 'canary')
                  : null;
                const metric = (name, value, format, series) => h('td', { class: 'num' }, h('div', { class: 'cell' },
                  Charts.sparkline(trend.map(series), `${id} ${name}, last ${trend.length} steps`),
                  num(value, format, { metric: name, workload: id })));
                return h('tr', { data: { workload: id } },
                  h('td', {}, h('a', { href: link('fleet', { namespace: w.namespace, window: p.get('window'), time: p.get('time') }) }, w.namespace)),
                  h('th', { scope: 'row' }, h('a', { href: link('workload', { namespace: w.namespace, workload: w.workload, window: p.get('window'), time: p.get('time') }) }, w.workload),
                    canaryLink ? ' · ' : '', canaryLink),
                  h('td', {}, w.revisions.join(', ')),
                  h('td', { class: 'num' + (stale > 0 ? ' stale' : ''), title: stale > 0 ? 'stale: ' + w.stalePods.join(', ') : 'every agent pushed recently' },
                    num(w.freshPods, fmt.count, { metric: 'freshPods', workload: id }), ' / ', num(w.pods, fmt.count, { metric: 'pods', workload: id }),
                    stale > 0 ? ` (${stale} stale)` : ''),
                  h('td', { class: 'num' + (stale > 0 ? ' stale' : '') }, fmt.age(w.oldestPushAgeSeconds)),
                  metric('requestRate', r.requestRate, fmt.rate, q => q.requestRate),
                  metric('successRate', r.successRate, fmt.percent, q => q.successRate),
                  metric('p99', r.latencyMilliseconds && r.latencyMilliseconds.p99, fmt.ms, q => q.p99));
              });
              return [
                h('h1', {}, 'Fleet'),
                h('div', { class: 'controls' }, windowControl(p, '1m'), timeControl(p)),
                data.workloads.length === 0 ? h('p', { class: 'empty' }, 'No agent has pushed yet.') :
                h('table', { id: 'fleet' },
                  h('caption', { class: 'muted' }, `Workloads by namespace; rates over the last ${p.get('window') || '1m'}, trends in ${data.workloads[0].trend.stepSeconds} s steps.`),
                  h('thead', {}, h('tr', {}, ['Namespace', 'Workload', 'Revisions'].map(t => h('th', { scope: 'col' }, t)),
                    ['Pods fresh / all', 'Oldest push', 'Requests', 'Success', 'p99'].map(t => h('th', { scope: 'col', class: 'num' }, t)))),
                  h('tbody', {}, rows)),
                data.omitted > 0 ? h('p', { class: 'muted', id: 'fleet-omitted' },
                  `${data.omitted} more workloads not shown: the fleet view computes the first ${data.workloads.length}; pick a namespace to see its own.`) : null,
              ];
            },
          };

          views.workload = {
            title: p => 'Workload ' + (p.get('workload') || ''),
            ask: p => !p.get('namespace') || !p.get('workload'),
            form: p => form([['namespace', 'Namespace', p.get('namespace')], ['workload', 'Workload', p.get('workload')]],
              v => { location.hash = link('workload', Object.assign({ window: p.get('window') }, v)); }),
            async load(p) {
              const base = { namespace: p.get('namespace'), workload: p.get('workload'), window: p.get('window') || '1m', time: p.get('time') };
              const [all, inventory, trend] = await Promise.all([
                api('/api/v1/siskin/workload', base),
                api('/api/v1/siskin/workloads'),
                api('/api/v1/siskin/workload/trend', { namespace: base.namespace, workload: base.workload, time: base.time, step: p.get('step'), points: p.get('points') }),
              ]);
              const entry = inventory.workloads.find(w => w.namespace === base.namespace && w.workload === base.workload);
              const revisions = entry ? entry.revisions : [];
              const perRevision = await Promise.all(revisions.map(revision => api('/api/v1/siskin/workload', Object.assign({ revision }, base))));
              const pods = inventory.pods.filter(x => x.namespace === base.namespace && x.workload === base.workload);
              return { all, perRevision, trend, pods };
            },
            render(data, p) {
              const r = data.all, lat = r.latencyMilliseconds || {};
              const card = (label, metric, value, format) => h('div', { class: 'card' }, h('div', { class: 'label' }, label),
                h('div', { class: 'value' }, num(value, format, { metric })));
              const health = new Map(data.pods.map(x => [x.pod, x]));
              const podNames = [...new Set([...r.pods.map(x => x.pod), ...data.pods.map(x => x.pod)])].sort();
              const rates = new Map(r.pods.map(x => [x.pod, x]));
              const t = data.trend.points;
              const series = (cls, f) => ({ cls, points: t.filter(q => Number.isFinite(f(q))).map(q => [q.time, f(q)]) });
              return [
                h('h1', {}, `${r.namespace}/${r.workload}`),
                h('div', { class: 'controls' }, windowControl(p, '1m'), timeControl(p)),
                h('div', { class: 'cards', id: 'summary' },
                  card('Requests', 'requestRate', r.requestRate, fmt.rate), card('Success', 'successRate', r.successRate, fmt.percent),
                  card('p50', 'p50', lat.p50, fmt.ms), card('p90', 'p90', lat.p90, fmt.ms), card('p99', 'p99', lat.p99, fmt.ms)),
                h('h2', {}, 'Trend'),
                h('div', { class: 'grid2' },
                  h('div', { class: 'panel' }, h('h3', {}, 'Requests per second'),
                    Charts.lines([series('rate', q => q.requestRate)], { label: 'request rate over time', format: v => v.toFixed(0) })),
                  h('div', { class: 'panel' }, h('h3', {}, 'Success rate'),
                    Charts.lines([series('success', q => q.successRate)], { label: 'success rate over time', floorZero: false, format: v => (v * 100).toFixed(2) + '%' })),
                  h('div', { class: 'panel' }, h('h3', {}, 'Latency'),
                    h('div', { class: 'legend' }, ['p50', 'p90', 'p99'].map(k => h('span', {}, h('span', { class: 'key ' + k }), k))),
                    Charts.lines(['p50', 'p90', 'p99'].map(k => series(k, q => q[k])), { label: 'latency quantiles over time, ms', format: v => v.toFixed(0) + ' ms' }))),
                h('h2', {}, 'By revision'),
                h('table', { id: 'revisions' },
                  h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Revision'), ['Requests', 'Success', 'p50', 'p90', 'p99'].map(x => h('th', { scope: 'col', class: 'num' }, x)))),
                  h('tbody', {}, data.perRevision.map(v => {
                    const l = v.latencyMilliseconds || {};
                    const d = m => ({ metric: m, revision: v.revision });
                    return h('tr', {}, h('th', { scope: 'row' }, v.revision),
                      h('td', { class: 'num' }, num(v.requestRate, fmt.rate, d('requestRate'))),
                      h('td', { class: 'num' }, num(v.successRate, fmt.percent, d('successRate'))),
                      ['p50', 'p90', 'p99'].map(k => h('td', { class: 'num' }, num(l[k], fmt.ms, d(k)))));
                  }))),
                h('h2', {}, 'Pods'),
                h('table', { id: 'pods' },
                  h('thead', {}, h('tr', {}, ['Pod', 'Revision'].map(x => h('th', { scope: 'col' }, x)),
                    ['Requests', '5xx share', 'Agent', 'Last push', 'Series'].map(x => h('th', { scope: 'col', class: 'num' }, x)))),
                  h('tbody', {}, podNames.map(name => {
                    const a = health.get(name), rate = rates.get(name);
                    return h('tr', { data: { pod: name } }, h('th', { scope: 'row' }, name), h('td', {}, a ? a.revision : '–'),
                      h('td', { class: 'num' }, num(rate ? rate.requestRate : null, fmt.rate, { metric: 'requestRate', pod: name })),
                      h('td', { class: 'num' }, num(rate ? rate.errorRate : null, fmt.percent, { metric: 'errorRate', pod: name })),
                      h('td', { class: 'num ' + (a && a.fresh ? 'fresh' : 'stale') }, a ? (a.fresh ? 'fresh' : 'STALE') : 'gone'),
                      h('td', { class: 'num' }, a ? fmt.age(a.lastPushAgeSeconds) : '–'),
                      h('td', { class: 'num' }, a ? String(a.series) : '–'));
                  }))),
              ];
            },
          };

          views.canary = {
            title: p => 'Canary ' + (p.get('canary') || ''),
            ask: p => !p.get('namespace') || !p.get('canary'),
            form: p => form([['namespace', 'Namespace', p.get('namespace')], ['canary', 'Canary workload', p.get('canary')], ['primary', 'Primary (default <canary>-primary)', p.get('primary')]],
              v => { location.hash = link('canary', Object.assign({ window: p.get('window') }, v)); }),
            async load(p) {
              const keys = {};
              for (const [k, v] of p) if (!['refresh', 'step', 'points'].includes(k)) keys[k] = v;
              keys.window = keys.window || '1m';
              const trend = workload => api('/api/v1/siskin/workload/trend', { namespace: keys.namespace, workload,
                reporter: keys.reporter, time: keys.time, step: p.get('step'), points: p.get('points') });
              const [compare, history, primaryTrend, canaryTrend] = await Promise.all([
                api('/api/v1/siskin/canary/compare', keys),
                api('/api/v1/siskin/canary/history', { namespace: keys.namespace, canary: keys.canary }),
                trend(keys.primary || keys.canary + '-primary'),
                trend(keys.canary),
              ]);
              const entries = history.canaries.length ? history.canaries[0].entries : [];
              return { compare, entries, trends: { primary: primaryTrend, canary: canaryTrend } };
            },
            render(data, p) {
              const j = data.compare.judgement, v = j.verdict;
              const sides = [Object.assign({ name: 'primary', cls: 'primary' }, data.compare.primary), Object.assign({ name: 'canary', cls: 'canary' }, data.compare.canary)];
              const row = (label, metric, format) => h('tr', {}, h('th', { scope: 'row' }, label),
                sides.map(s => h('td', { class: 'num' }, num(s[metric], format, { side: s.name, metric }))));
              const covered = j.coveredFrom ? `${((j.coveredTo - j.coveredFrom) / 1000).toFixed(0)} s of data, up to ${new Date(j.coveredTo).toLocaleTimeString()}` : 'no data in the window';
              return [
                h('h1', {}, `${j.namespace}/${j.canary} against ${j.primary}`),
                h('div', { class: 'controls' }, windowControl(p, '1m'), timeControl(p)),
                h('section', { class: 'verdict ' + v.outcome, id: 'verdict', 'aria-label': 'Verdict', data: { outcome: v.outcome, score: v.score } },
                  h('span', { class: 'outcome' }, v.outcome.toUpperCase()), h('span', {}, `score ${v.score.toFixed(0)} / 100 · ${j.windowSeconds} s window, ${covered}`),
                  h('p', {}, v.summary)),
                h('h2', {}, 'Side by side'),
                h('div', { class: 'grid2' },
                  h('table', { id: 'sides' },
                    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), sides.map(s => h('th', { scope: 'col', class: 'num' }, h('span', { class: 'key ' + s.cls }), `${s.name} (${s.workload})`)))),
                    h('tbody', {}, row('Requests', 'requests', fmt.count), row('Requests per second', 'requestRate', fmt.rate),
                      row('5xx', 'errors', fmt.count), row('Success rate', 'successRate', fmt.percent),
                      row('p50', 'p50', fmt.ms), row('p90', 'p90', fmt.ms), row('p99', 'p99', fmt.ms))),
                  h('div', { class: 'panel' }, h('h3', {}, 'Latency distributions, share of each side\'s requests'),
                    h('div', { class: 'legend' }, sides.map(s => h('span', {}, h('span', { class: 'key ' + s.cls }), s.name))),
                    Charts.histograms(sides, 'latency histograms of primary and canary on the same buckets'))),
                h('h2', {}, `Over time, in ${data.trends.canary.stepSeconds} s steps`),
                h('div', { class: 'grid2' }, [['Success rate', 'successRate', v => (v * 100).toFixed(2) + '%', false],
                  ['p99', 'p99', v => v.toFixed(0) + ' ms', true]].map(([title, key, format, floorZero]) =>
                  h('div', { class: 'panel' }, h('h3', {}, title),
                    h('div', { class: 'legend' }, sides.map(s => h('span', {}, h('span', { class: 'key ' + s.cls }), s.name))),
                    Charts.lines(sides.map(s => ({ cls: s.cls, points: data.trends[s.name].points.filter(q => Number.isFinite(q[key])).map(q => [q.time, q[key]]) })),
                      { label: `${title} of primary and canary over time`, format, floorZero })))),
                h('h2', {}, 'Why'),
                h('ul', { class: 'metrics', id: 'metrics' }, v.metrics.map(m => h('li', { data: { metric: m.name, outcome: m.outcome } },
                  h('span', { class: 'tag ' + m.outcome }, m.outcome), h('strong', {}, m.name), m.critical ? ' (critical) ' : ' ', m.reason))),
                h('h2', {}, 'Judge calls'),
                h('div', { class: 'panel' },
                  h('div', { class: 'legend' }, h('span', {}, h('span', { class: 'key canary' }), 'canary weight'), h('span', {}, 'dots: pass, fail, inconclusive')),
                  Charts.timeline(data.entries, 'judge calls over time with the canary weight of each step')),
                data.entries.length === 0 ? h('p', { class: 'empty' }, 'No judge calls recorded for this canary yet.') :
                h('table', { id: 'history' },
                  h('thead', {}, h('tr', {}, ['Time', 'Source'].map(x => h('th', { scope: 'col' }, x)), ['Weight', 'Status', 'Score'].map(x => h('th', { scope: 'col', class: 'num' }, x)), h('th', { scope: 'col' }, 'Verdict'))),
                  h('tbody', {}, data.entries.slice().reverse().map(e => h('tr', { data: { outcome: e.judgement.verdict.outcome, weight: e.canaryWeight } },
                    h('td', {}, new Date(e.judgedAt * 1000).toLocaleTimeString()), h('td', {}, e.source),
                    h('td', { class: 'num' }, Number.isInteger(e.canaryWeight) ? e.canaryWeight + '%' : '–'),
                    h('td', { class: 'num' }, String(e.status)), h('td', { class: 'num' }, e.judgement.verdict.score.toFixed(0)),
                    h('td', {}, h('span', { class: 'tag ' + e.judgement.verdict.outcome }, e.judgement.verdict.outcome), e.judgement.verdict.summary))))),
              ];
            },
          };

          // ---- the loop --------------------------------------------------------------
          let generation = 0, timer = null;
          async function refresh(first) {
            const mine = generation;
            const { view: name, params } = route();
            const view = views[name] || views.fleet;
            const main = document.getElementById('main');
            for (const a of document.querySelectorAll('nav a')) {
              if (a.id === 'nav-' + (views[name] ? name : 'fleet')) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
            }
            document.title = view.title(params) + ' · Siskin';
            const status = document.getElementById('status');
            if (view.ask && view.ask(params)) {
              // A form: nothing to poll until it is submitted (a hash change).
              main.replaceChildren(h('h1', {}, view.title(params)), view.form(params));
              root.dataset.ready = name;
              return false;
            }
            try {
              const data = await view.load(params);
              if (mine !== generation) return;
              const focused = document.activeElement && document.activeElement.id;
              main.replaceChildren(...view.render(data, params));
              if (focused) { const again = document.getElementById(focused); if (again) again.focus(); }
              status.textContent = 'updated ' + new Date().toLocaleTimeString();
              status.classList.remove('offline');
              root.dataset.ready = name;
              root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
            } catch (e) {
              if (mine !== generation) return;
              if (e.offline) { status.textContent = e.message + ', retrying'; status.classList.add('offline'); }
              else if (e.badRequest) { main.replaceChildren(h('h1', {}, view.title(params)), h('p', { class: 'errors' }, e.message)); root.dataset.ready = name; }
              else pageError(e.message);
            }
            if (first) main.focus({ preventScroll: true });
            return true;
          }
          function schedule(first) {
            clearTimeout(timer);
            const seconds = Math.max(0.5, Number(route().params.get('refresh')) || 2);
            const mine = generation;
            refresh(first).then(again => {
              if (!again || mine !== generation) return;
              const next = () => { if (document.hidden) timer = setTimeout(next, 1000); else schedule(false); };
              timer = setTimeout(next, seconds * 1000);
            });
          }
          window.addEventListener('hashchange', () => { generation++; schedule(true); });
          document.addEventListener('DOMContentLoaded', () => schedule(false));
          return { route, link };
        })();
        """#
}
