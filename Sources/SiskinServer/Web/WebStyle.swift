/// The pages' stylesheet: system fonts, light and dark palettes chosen by
/// `prefers-color-scheme`, visible focus for keyboard use, and the chart
/// colours (SVG elements carry classes, never inline styles, which the
/// Content-Security-Policy forbids).
enum WebStyle {
    static let source = #"""
        :root {
          --bg: #fbfbf8; --fg: #1d2228; --muted: #5c6670; --line: #d8dcd4; --panel: #ffffff;
          --accent: #2457a6; --primary: #2f6fba; --canary: #c7661c; --good: #1d7a3a; --bad: #b3261e;
          --warn: #8a6100; --grid: #e6e8e2; --focus: #f0b400;
          color-scheme: light dark;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #15181c; --fg: #e4e7ea; --muted: #9aa4ae; --line: #333a42; --panel: #1c2026;
            --accent: #8ab4f8; --primary: #6ea8ff; --canary: #ffa25c; --good: #6fd08c; --bad: #ff8a80;
            --warn: #f2c14e; --grid: #2a3037; --focus: #f2c14e;
          }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--panel); padding: .5em; }
        .skip:focus { left: .5em; }
        .top { display: flex; flex-wrap: wrap; gap: 1.2em; align-items: baseline; padding: .7em 1.2em;
          border-bottom: 1px solid var(--line); background: var(--panel); }
        .brand { font-weight: 700; font-size: 1.15em; text-decoration: none; color: var(--fg); }
        nav a { margin-right: .9em; text-decoration: none; padding: .15em .2em; }
        nav a[aria-current="page"] { font-weight: 700; border-bottom: 2px solid var(--accent); }
        .status { margin: 0 0 0 auto; color: var(--muted); font-size: .9em; }
        .status.offline { color: var(--bad); }
        .errors { margin: .8em 1.2em; padding: .6em .8em; border: 1px solid var(--bad); color: var(--bad); }
        main { padding: 1em 1.2em 3em; max-width: 1280px; }
        main:focus { outline: none; }
        h1 { font-size: 1.35em; margin: .2em 0 .6em; }
        h2 { font-size: 1.1em; margin: 1.6em 0 .5em; }
        .controls { display: flex; flex-wrap: wrap; gap: 1em; align-items: end; margin-bottom: 1em; }
        .controls label { display: flex; flex-direction: column; font-size: .85em; color: var(--muted); }
        input, select, button { font: inherit; color: var(--fg); background: var(--panel);
          border: 1px solid var(--line); border-radius: 4px; padding: .25em .45em; }
        button { cursor: pointer; }
        table { border-collapse: collapse; width: 100%; background: var(--panel); }
        th, td { padding: .35em .6em; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
        th { font-weight: 600; color: var(--muted); font-size: .85em; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .cell { display: flex; align-items: center; justify-content: flex-end; gap: .5em; }
        .stale { color: var(--bad); font-weight: 600; }
        .fresh { color: var(--good); }
        .muted { color: var(--muted); }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .7em; }
        .card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6em .8em; }
        .card .label { color: var(--muted); font-size: .85em; }
        .card .value { font-size: 1.4em; font-variant-numeric: tabular-nums; }
        .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 1em; }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .7em; }
        .panel h3 { margin: 0 0 .4em; font-size: .95em; }
        .verdict { border-radius: 6px; padding: .8em 1em; border: 2px solid var(--line); background: var(--panel); }
        .verdict .outcome { font-size: 1.5em; font-weight: 700; letter-spacing: .04em; margin-right: .6em; }
        .verdict.pass { border-color: var(--good); } .verdict.pass .outcome { color: var(--good); }
        .verdict.fail { border-color: var(--bad); } .verdict.fail .outcome { color: var(--bad); }
        .verdict.inconclusive { border-color: var(--warn); } .verdict.inconclusive .outcome { color: var(--warn); }
        .verdict p { margin: .4em 0 0; }
        .metrics li { margin: .35em 0; }
        .tag { display: inline-block; min-width: 6.5em; font-weight: 600; }
        .tag.pass { color: var(--good); } .tag.fail { color: var(--bad); } .tag.inconclusive { color: var(--warn); }
        .legend { display: flex; gap: 1em; font-size: .85em; color: var(--muted); margin: .2em 0 .4em; }
        .key { display: inline-block; width: .9em; height: .9em; border-radius: 2px; vertical-align: -.1em; margin-right: .3em; }
        .key.primary { background: var(--primary); } .key.canary { background: var(--canary); }
        .key.p50 { background: var(--good); } .key.p90 { background: var(--warn); } .key.p99 { background: var(--bad); }
        svg { display: block; max-width: 100%; height: auto; overflow: visible; }
        svg text { fill: var(--muted); font-size: 11px; }
        svg .grid { stroke: var(--grid); stroke-width: 1; }
        svg .axis { stroke: var(--line); stroke-width: 1; }
        svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        svg .spark { fill: none; stroke: var(--accent); stroke-width: 1.5; }
        svg .line.primary, svg .line.rate { stroke: var(--primary); }
        svg .line.canary { stroke: var(--canary); }
        svg .line.success { stroke: var(--good); }
        svg .line.p50 { stroke: var(--good); } svg .line.p90 { stroke: var(--warn); } svg .line.p99 { stroke: var(--bad); }
        svg .bar.primary { fill: var(--primary); } svg .bar.canary { fill: var(--canary); }
        svg .weight { fill: none; stroke: var(--canary); stroke-width: 2; }
        svg .dot.pass { fill: var(--good); } svg .dot.fail { fill: var(--bad); } svg .dot.inconclusive { fill: var(--warn); }
        .empty { color: var(--muted); font-style: italic; }
        """#
}
