/** The console's stylesheet: one column on a phone, two on a wide screen; visible focus everywhere. */
export const consoleStyles = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #fff; --text: #1b1f24; --muted: #5b6470; --line: #d5dae1;
  --accent: #1f5fd1; --accent-text: #fff; --error: #b3261e; --ok: #1b7f3b; --focus: #f5a623;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.4;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --panel: #1b2027; --text: #e8ebef; --muted: #9aa4b1; --line: #323a45;
    --accent: #6a9cff; --accent-text: #0b1020; --error: #ff8a80; --ok: #6fd08c;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text); }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
.top {
  display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; justify-content: space-between;
  padding: .75rem 1rem; background: var(--panel); border-bottom: 1px solid var(--line);
}
.usage { margin: 0; color: var(--muted); font-variant-numeric: tabular-nums; }
main {
  display: grid; gap: 1rem; padding: 1rem; max-width: 1200px; margin: 0 auto;
  grid-template-columns: minmax(0, 1fr);
}
@media (min-width: 900px) {
  main { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
  #key-form { grid-column: 1 / -1; }
}
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; min-width: 0; }
label { display: block; margin: .5rem 0; font-weight: 600; }
input, select, textarea, button { font: inherit; }
input[type="password"], input[type="url"], select, textarea {
  display: block; width: 100%; margin-top: .25rem; padding: .5rem; border: 1px solid var(--line);
  border-radius: 6px; background: var(--bg); color: var(--text); font-weight: 400;
}
button {
  display: inline-block; padding: .5rem 1rem; border: 1px solid var(--accent); border-radius: 6px;
  background: var(--accent); color: var(--accent-text); cursor: pointer; font-weight: 600;
}
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: transparent; color: var(--error); border-color: var(--error); }
button:disabled { opacity: .55; cursor: not-allowed; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.row .grow { flex: 1 1 16rem; }
.grid { display: grid; gap: 0 .75rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); }
.muted { color: var(--muted); margin: .25rem 0; }
.error { color: var(--error); font-weight: 600; margin: .5rem 0; }
.rule { margin: .25rem 0 .75rem; padding: .25rem .5rem; border-left: 3px solid var(--accent); }
.drop-zone { border: 2px dashed var(--line); border-radius: 8px; padding: .75rem; margin-bottom: .5rem; }
.drop-zone.over { border-color: var(--accent); background: color-mix(in srgb, var(--accent) 8%, transparent); }
.drop-zone label { font-weight: 400; }
.drop-zone input[type="file"] { display: block; margin: .5rem 0; max-width: 100%; }
.preview { display: block; max-width: 100%; max-height: 160px; border-radius: 6px; margin-top: .5rem; }
.tasks { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; }
.task { border: 1px solid var(--line); border-radius: 8px; padding: .75rem; overflow-wrap: anywhere; }
.task header { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: baseline; }
.task .id { font-family: ui-monospace, monospace; font-size: .85rem; color: var(--muted); }
.phase { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: .85rem; font-weight: 700;
  border: 1px solid currentColor; }
.phase[data-phase="done"] { color: var(--ok); }
.phase[data-phase="failed"], .phase[data-phase="canceled"] { color: var(--error); }
.task .prompt { margin: .25rem 0; }
.task video { display: block; width: 100%; max-height: 60vh; background: #000; border-radius: 6px; margin: .5rem 0; }
.deliveries { margin-top: .5rem; }
.deliveries summary { cursor: pointer; font-weight: 600; padding: .25rem 0; }
.delivery-body { overflow-x: auto; }
.deliveries table { width: 100%; border-collapse: collapse; font-size: .9rem; overflow-wrap: normal; }
.deliveries td.url { overflow-wrap: anywhere; min-width: 10rem; }
.deliveries th, .deliveries td { text-align: left; padding: .25rem; border-top: 1px solid var(--line); vertical-align: top; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
