import { voteStrings } from './votes';
import { escapeHtml as h, escapeHtmlLines as hl } from './format';
import { buildMemoModel, type MemoInput, type MemoModel, type NoteLine } from './model';

/**
 * The memo as one standalone, printable HTML document: no scripts, no external resources, no
 * UI. Printing it from a browser (to paper or PDF) gives A4 pages with each big section on a
 * new page. All user text is escaped. The map SVG is embedded as an `<img>` data URI rather than
 * inline markup: an SVG string can carry scripts and event handlers, and inside an image they
 * never run, whoever produced the string.
 */
export function renderMemoHtml(input: MemoInput): string {
  const m = buildMemoModel(input);
  const { s } = m;
  const title = m.heading;
  const dates = [m.kind, ...(m.workshopDate ? [`${s.workshopDate} ${m.workshopDate}`] : []), `${s.memoDate} ${m.memoDate}`];
  const parts = [
    '<!doctype html>',
    `<html lang="${m.language}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${h(title)}</h1>`,
    `<p class="dates">${dates.map(h).join(' · ')}</p>`,
    '</header>',
    participants(m),
    flipcharts(m),
    themes(m),
    matrix(m),
    valueMap(m),
    actions(m),
    ...(m.votes.length > 0 ? [votes(m)] : []),
    '</body>',
    '</html>',
  ];
  return `${parts.join('\n')}\n`;
}

const STYLE = `
@page { size: A4; margin: 18mm 16mm 20mm; }
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 12mm 8mm; max-width: 190mm; color: #111; background: #fff;
  font: 10.5pt/1.45 "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
h2 { font-size: 15pt; margin: 8mm 0 3mm; padding-bottom: 1mm; border-bottom: 1.5pt solid #333; }
h3 { font-size: 12.5pt; margin: 6mm 0 2mm; }
h4 { font-size: 11pt; margin: 4mm 0 1.5mm; }
h5 { font-size: 10.5pt; font-weight: 600; font-style: italic; margin: 2mm 0 1mm; }
h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
ul { margin: 0 0 2mm; padding-left: 6mm; }
li { margin: 0.5mm 0; break-inside: avoid; }
p { margin: 0 0 2mm; }
.dates { color: #444; }
.empty { color: #666; font-style: italic; }
.who { color: #555; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.35em; vertical-align: -0.1em;
  border: 0.75pt solid #333; border-radius: 2pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 4mm; font-size: 9.5pt; }
th, td { border: 0.75pt solid #999; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
td.date { white-space: nowrap; }
th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
tr { break-inside: avoid; page-break-inside: avoid; }
td ul { margin: 0; padding-left: 4.5mm; }
.unsolved td { background: #fff4e5; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.flag { display: block; margin-top: 1.5mm; font-weight: 700; }
.flipchart { border-left: 3mm solid var(--actor, #bbb); padding-left: 4mm; margin-bottom: 6mm;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
figure { margin: 0 0 4mm; break-inside: avoid; }
figure img { display: block; max-width: 100%; max-height: 200mm; margin: 0 auto; }
@media print {
  body { padding: 0; max-width: none; }
  section.major { break-before: page; page-break-before: always; }
}
`.trim();

const swatch = (color: string | null) => (color ? `<span class="swatch" style="background:${h(color)}"></span>` : '');

const list = (items: readonly string[]) => (items.length === 0 ? '' : `<ul>\n${items.map((i) => `<li>${i}</li>`).join('\n')}\n</ul>`);

const noteItem = (note: NoteLine) => `${hl(note.text)}${note.actor ? ` <span class="who">(${h(note.actor)})</span>` : ''}`;

function section(id: string, heading: string, body: string[], major: boolean): string {
  return [`<section id="${id}"${major ? ' class="major"' : ''}>`, `<h2>${h(heading)}</h2>`, ...body.filter(Boolean), '</section>'].join('\n');
}

/** Dot-vote results (memo/votes.ts); nothing at all when nobody voted. */
function votes(m: MemoModel): string {
  if (m.votes.length === 0) return '';
  const vs = voteStrings(m.language);
  const items = m.votes.map((v) => `${v.kind === 'action' ? `${h(vs.action)}: ` : ''}${h(v.label)} — <strong>${h(vs.votes(v.count))}</strong>`);
  return section('votes', vs.heading, [`<p>${h(vs.intro)}</p>`, list(items)], false);
}

function participants(m: MemoModel): string {
  const { s } = m;
  const body =
    m.participants.length === 0
      ? [`<p class="empty">${h(s.noParticipants)}</p>`]
      : [list(m.participants.map((g) => `${swatch(g.color)}<strong>${h(g.label)}:</strong> ${g.names.map(h).join(', ')}`))];
  return section('participants', s.participants, body, false);
}

function flipcharts(m: MemoModel): string {
  const { s } = m;
  const empty = `<p class="empty">${h(s.noAnswers)}</p>`;
  const body = m.flipcharts.map((chart) => {
    const questions = chart.questions.map((q) => {
      const groups = q.groups.map((g) => {
        const notes = g.notes.length === 0 ? empty : list(g.notes.map(hl));
        return g.label === null ? notes : `<h5>${h(g.label)}</h5>\n${notes}`;
      });
      return [`<h4>${h(q.heading)}</h4>`, ...(groups.length === 0 ? [empty] : groups)].join('\n');
    });
    const style = chart.color ? ` style="--actor:${h(chart.color)}"` : '';
    return [`<div class="flipchart"${style}>`, `<h3>${swatch(chart.color)}${h(chart.label)}</h3>`, ...questions, '</div>'].join('\n');
  });
  return section('flipcharts', s.flipcharts, body.length === 0 ? [empty] : body, true);
}

function themes(m: MemoModel): string {
  const { s } = m;
  const body: string[] = [];
  if (m.themes.challenge.length === 0 && m.themes.strength.length === 0) body.push(`<p class="empty">${h(s.noThemes)}</p>`);
  for (const kind of ['challenge', 'strength'] as const) {
    const loose = m.unthemed[kind];
    if (m.themes[kind].length === 0 && loose.length === 0) continue;
    body.push(`<h3>${h(kind === 'challenge' ? s.challengeThemes : s.strengthThemes)}</h3>`);
    for (const theme of m.themes[kind]) {
      body.push(`<h4>${theme.number}. ${h(theme.name)}</h4>`, theme.notes.length === 0 ? '<p class="empty">—</p>' : list(theme.notes.map(noteItem)));
    }
    if (loose.length > 0) body.push(`<h4>${h(s.withoutTheme)}</h4>`, list(loose.map(noteItem)));
  }
  return section('themes', s.themes, body, true);
}

function matrix(m: MemoModel): string {
  const { s } = m;
  const body = [`<p>${h(s.matrixIntro)}</p>`];
  if (m.matrix.length === 0) body.push(`<p class="empty">${h(s.noMatrix)}</p>`);
  else {
    const rows = m.matrix.map((row) => {
      const challenge = [`<strong>${row.number}. ${h(row.name)}</strong>`, list(row.challenges.map(noteItem)), row.unsolved ? `<span class="flag">${h(s.unsolved)}</span>` : ''];
      const strengths = row.strengths.map((g) => `<p>${swatch(g.color)}<strong>${h(g.actor)}:</strong></p>\n${list(g.items.map(hl))}`);
      return [
        `<tr${row.unsolved ? ' class="unsolved"' : ''}>`,
        `<td>${challenge.filter(Boolean).join('\n')}</td>`,
        `<td>${row.need ? hl(row.need) : ''}</td>`,
        `<td>${strengths.join('\n')}</td>`,
        '</tr>',
      ].join('\n');
    });
    body.push(
      '<table class="matrix">',
      `<thead><tr><th scope="col">${h(s.challenges)}</th><th scope="col">${h(s.need)}</th><th scope="col">${h(s.strengthsByActor)}</th></tr></thead>`,
      '<tbody>',
      ...rows,
      '</tbody>',
      '</table>',
    );
  }
  return section('matrix', s.matrix, body, true);
}

function valueMap(m: MemoModel): string {
  const { s } = m;
  const body: string[] = [];
  if (m.mapSvg) {
    body.push(`<figure><img src="data:image/svg+xml;charset=utf-8,${encodeURIComponent(m.mapSvg)}" alt="${h(s.mapAlt)}"></figure>`);
  }
  for (const layer of m.flows) {
    body.push(`<h3>${h(layer.heading)}</h3>`);
    if (layer.flows.length === 0) body.push(`<p class="empty">${h(s.noFlows)}</p>`);
    else body.push(list(layer.flows.map((f) => `${h(f.from)} → ${h(f.to)} <span class="who">(${h(f.kind)})</span>${f.label ? `: ${hl(f.label)}` : ''}`)));
  }
  return section('value-map', s.valueMap, body, true);
}

function actions(m: MemoModel): string {
  const { s } = m;
  if (m.actions.length === 0) return section('actions', s.actions, [`<p class="empty">${h(s.noActions)}</p>`], true);
  const header = [s.checkDate, s.what, s.theme, s.ownerActor, s.ownerName, s.status, s.actionNotes];
  const rows = m.actions.map(
    (a) => `<tr><td class="date">${h(a.checkDate)}</td>${[a.what, a.theme, a.ownerActor, a.ownerName, a.status, a.notes].map((c) => `<td>${hl(c)}</td>`).join('')}</tr>`,
  );
  return section(
    'actions',
    s.actions,
    ['<table class="actions">', `<thead><tr>${header.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead>`, '<tbody>', ...rows, '</tbody>', '</table>'],
    true,
  );
}
