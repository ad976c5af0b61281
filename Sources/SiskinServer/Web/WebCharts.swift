/// Hand-written SVG charts for the pages (no chart library: nothing to
/// download, nothing third-party): sparklines, line charts over time,
/// two histograms on the same axes, and the judge-call timeline. Each chart
/// is an `<svg role="img">` with a text label saying what it shows.
enum WebCharts {
    static let source = #"""
        'use strict';
        const Charts = (() => {
          const NS = 'http://www.w3.org/2000/svg';
          function el(name, attrs, parent) {
            const node = document.createElementNS(NS, name);
            for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
            if (parent) parent.appendChild(node);
            return node;
          }
          function svg(width, height, label) {
            const root = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
            el('title', {}, root).textContent = label;
            return root;
          }
          function extent(values, floorZero) {
            let lo = Infinity, hi = -Infinity;
            for (const v of values) { if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
            if (!Number.isFinite(lo)) return [0, 1];
            if (floorZero) lo = Math.min(0, lo);
            if (hi === lo) { hi = lo === 0 ? 1 : hi + Math.abs(hi) * 0.05; lo = floorZero ? lo : lo - (hi - lo); }
            return [lo, hi];
          }
          function path(points) {
            let d = '', pen = false;
            for (const [x, y] of points) {
              if (!Number.isFinite(y)) { pen = false; continue; }
              d += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
              pen = true;
            }
            return d;
          }

          /// A small trend line without axes, e.g. next to a table cell.
          function sparkline(values, label) {
            const w = 90, h = 22;
            const root = svg(w, h, label);
            const finite = values.filter(Number.isFinite);
            if (finite.length < 2) return root;
            const [lo, hi] = extent(finite, false);
            const step = w / (values.length - 1);
            const pts = values.map((v, i) => [i * step, h - 2 - ((v - lo) / (hi - lo)) * (h - 4)]);
            el('path', { d: path(pts), class: 'spark' }, root);
            return root;
          }

          /// Lines over time: series = [{name, cls, points: [[unixSeconds, value]]}].
          function lines(series, options) {
            const w = options.width || 560, h = options.height || 180, left = 54, right = 8, top = 8, bottom = 22;
            const root = svg(w, h, options.label);
            const all = series.flatMap(s => s.points);
            if (all.length === 0) { el('text', { x: left, y: h / 2 }, root).textContent = 'no data yet'; return root; }
            const [t0, t1] = extent(all.map(p => p[0]), false);
            const [lo, hi] = options.range || extent(all.map(p => p[1]), options.floorZero !== false);
            const x = t => left + ((t - t0) / (t1 - t0)) * (w - left - right);
            const y = v => top + (1 - (v - lo) / (hi - lo)) * (h - top - bottom);
            for (let i = 0; i <= 4; i++) {
              const v = lo + ((hi - lo) * i) / 4;
              el('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), class: 'grid' }, root);
              const t = el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, root);
              t.textContent = options.format(v);
            }
            for (const at of [t0, t1]) {
              const t = el('text', { x: x(at), y: h - 6, 'text-anchor': at === t0 ? 'start' : 'end' }, root);
              t.textContent = new Date(at * 1000).toLocaleTimeString();
            }
            for (const s of series) {
              el('path', { d: path(s.points.map(p => [x(p[0]), y(p[1])])), class: 'line ' + s.cls }, root);
            }
            return root;
          }

          /// Two latency distributions on the same axes: one column per
          /// bucket (bounds in ms, the last +Inf), bars are each side's share
          /// of its own requests, so a 10 % canary compares with its primary.
          function histograms(sides, label) {
            const bounds = sides[0].buckets.map(b => b.le);
            const shares = sides.map(s => {
              const total = s.buckets.reduce((a, b) => a + b.count, 0);
              return s.buckets.map(b => (total > 0 ? b.count / total : 0));
            });
            let first = bounds.length, last = -1;
            bounds.forEach((_, i) => { if (shares.some(s => s[i] > 0)) { first = Math.min(first, i); last = i; } });
            const w = 560, h = 200, left = 44, bottom = 34, top = 8;
            const root = svg(w, h, label);
            if (last < 0) { el('text', { x: left, y: h / 2 }, root).textContent = 'no requests in the window'; return root; }
            const n = last - first + 1, slot = (w - left) / n;
            const hi = Math.max(...shares.flat(), 0.01);
            const y = v => top + (1 - v / hi) * (h - top - bottom);
            for (let i = 0; i <= 4; i++) {
              const v = (hi * i) / 4;
              el('line', { x1: left, x2: w, y1: y(v), y2: y(v), class: 'grid' }, root);
              el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, root).textContent = (v * 100).toFixed(0) + '%';
            }
            for (let i = first; i <= last; i++) {
              const x0 = left + (i - first) * slot;
              sides.forEach((side, k) => {
                const v = shares[k][i];
                const bar = el('rect', { x: x0 + 3 + k * (slot - 6) / 2, width: Math.max(1, (slot - 6) / 2),
                  y: y(v), height: y(0) - y(v), class: 'bar ' + side.cls }, root);
                el('title', {}, bar).textContent = `${side.name}: ${(v * 100).toFixed(2)}% ≤ ${bounds[i]} ms`;
              });
              const label = bounds[i] === '+Inf' ? '>' + bounds[i - 1] : '≤' + bounds[i];
              el('text', { x: x0 + slot / 2, y: h - bottom + 14, 'text-anchor': 'middle' }, root).textContent = label;
            }
            el('text', { x: w, y: h - 4, 'text-anchor': 'end' }, root).textContent = 'latency bucket, ms';
            return root;
          }

          /// Judge calls over time: the canary weight as a step line, one dot
          /// per call coloured by its outcome.
          function timeline(entries, label) {
            const w = 900, h = 150, left = 40, right = 10, top = 10, bottom = 22;
            const root = svg(w, h, label);
            if (entries.length === 0) { el('text', { x: left, y: h / 2 }, root).textContent = 'no judge calls yet'; return root; }
            const times = entries.map(e => e.judgedAt);
            let [t0, t1] = extent(times, false);
            if (entries.length === 1) { t0 -= 1; t1 += 1; }
            const x = t => left + ((t - t0) / (t1 - t0)) * (w - left - right);
            const y = v => top + (1 - v / 100) * (h - top - bottom);
            for (const v of [0, 25, 50, 75, 100]) {
              el('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), class: 'grid' }, root);
              el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, root).textContent = v + '%';
            }
            const weighted = entries.filter(e => Number.isInteger(e.canaryWeight));
            let d = '';
            weighted.forEach((e, i) => {
              d += (i === 0 ? 'M' : 'H' + x(e.judgedAt).toFixed(1) + 'V') + (i === 0 ? x(e.judgedAt).toFixed(1) + ' ' : '') + y(e.canaryWeight).toFixed(1);
            });
            if (d) el('path', { d, class: 'weight' }, root);
            for (const e of entries) {
              const v = Number.isInteger(e.canaryWeight) ? e.canaryWeight : 0;
              const dot = el('circle', { cx: x(e.judgedAt), cy: y(v), r: 5, class: 'dot ' + e.judgement.verdict.outcome }, root);
              el('title', {}, dot).textContent = `${new Date(e.judgedAt * 1000).toLocaleTimeString()}: ` +
                `${e.judgement.verdict.outcome}, score ${e.judgement.verdict.score}` +
                (Number.isInteger(e.canaryWeight) ? `, weight ${e.canaryWeight}%` : '');
            }
            for (const at of [t0, t1]) {
              el('text', { x: x(at), y: h - 6, 'text-anchor': at === t0 ? 'start' : 'end' }, root)
                .textContent = new Date(at * 1000).toLocaleTimeString();
            }
            return root;
          }

          return { sparkline, lines, histograms, timeline };
        })();
        """#
}
