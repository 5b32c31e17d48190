import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WallNote } from '../../shared/derive/types';
import { renderMemoHtml, renderMemoMarkdown, renderNotesCsv, renderWorkshopJson, type MemoInput } from '../../shared/memo';
import { readAnalysis } from '../../shared/read/analysis';
import { readRoom } from '../../shared/read/snapshot';
import * as Y from 'yjs';
import { linkkuIds, linkkuMemoInput, LINKKU_TIMES } from '../fixtures/linkku';
import { parseCsv as readCsv } from '../helpers/csv';

const parseCsv = (text: string) => readCsv(text, { requireFinalNewline: true });

/**
 * Golden files: the memo of the LINKKU pilot, compared byte for byte. After an intended change
 * to the memo, regenerate them with `UPDATE_GOLDEN=1 npx vitest run tests/unit/memo.test.ts` and
 * read the diff before committing it.
 */
const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/memo');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1 to create it`).toBe(true);
  // Compared as text, not as a snapshot: a mismatch shows as a line diff.
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** A small map, as the client would export it; its <script> must never reach the page as markup. */
const MAP_SVG = [
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 640" width="960" height="640">',
  '<circle cx="160" cy="320" r="60" fill="#77aadd"/><text x="160" y="325" text-anchor="middle">Associations</text>',
  '<circle cx="480" cy="120" r="60" fill="#ee8866"/><text x="480" y="125" text-anchor="middle">LINKKU</text>',
  '<circle cx="800" cy="320" r="60" fill="#eedd88"/><text x="800" y="325" text-anchor="middle">Students</text>',
  '<script>alert("map")</script>',
  '</svg>',
].join('');

const en = () => linkkuMemoInput('en');
const fi = () => linkkuMemoInput('fi');

/** The lines of one `## ` section of a Markdown memo. */
function mdSection(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  expect(start, `no section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}


function withNote(input: MemoInput, patch: Partial<WallNote>): MemoInput {
  const base = input.notes.find((n) => n.questionId === '1b' && n.actorId === linkkuIds().actors.linkku)!;
  const extra: WallNote = { ...base, id: 'ExtraNote0000001', createdAt: base.createdAt + 1, ...patch };
  return { ...input, notes: [...input.notes, extra] };
}

afterEach(() => vi.restoreAllMocks());

describe('golden memo of the LINKKU pilot', () => {
  it('linkku.en.md', () => expectGolden('linkku.en.md', renderMemoMarkdown(en())));
  it('linkku.fi.md', () => expectGolden('linkku.fi.md', renderMemoMarkdown(fi())));
  it('linkku.en.html', () => expectGolden('linkku.en.html', renderMemoHtml(linkkuMemoInput('en', { mapSvg: MAP_SVG }))));
  it('linkku.csv', () => expectGolden('linkku.csv', renderNotesCsv(en())));
  it('linkku.json', () => expectGolden('linkku.json', renderWorkshopJson(en())));
});

describe('memo content', () => {
  it('the matrix section of the English memo lists exactly the three challenge themes of METHOD.md, in order', () => {
    const matrix = mdSection(renderMemoMarkdown(en()), 'Challenges and strengths');
    expect(matrix.filter((l) => l.startsWith('### '))).toEqual(['### 1. Collaboration and its management', '### 2. Attitudes', '### 3. Availability of services']);
    expect(matrix).toContain('- **Associations:** networks; willingness to collaborate; flexibility');
    expect(matrix).toContain('- **LINKKU:** networks; offers learning environments');
    expect(matrix).toContain("- **Students:** commitment to project-based learning; keen teachers; the university's pedagogical policy");
    expect(matrix).toContain('- **Associations:** reliability and long traditions; easy to approach; communication');
    expect(matrix).toContain('- **Associations:** local knowledge');
    expect(matrix).toContain('- **LINKKU:** can take expertise anywhere');
    expect(matrix.join('\n')).not.toContain('Unsolved');
  });

  it('the Finnish memo speaks Finnish', () => {
    const md = renderMemoMarkdown(fi());
    expect(md.startsWith('# Muistio: LINKKU-palvelubussi, yhdistykset ja opiskelijat\n')).toBe(true);
    for (const heading of ['## Osallistujat', '## Toimijoiden fläpit', '## Teemat', '### Haasteteemat', '### Vahvuusteemat', '## Haasteet ja vahvuudet', '## Arvoverkkokartta', '## Toimenpiteet']) {
      expect(md).toContain(`\n${heading}\n`);
    }
    expect(md).toContain('| Tarkistuspäivä | Mitä tehdään | Teema | Vastuutaho | Vastuuhenkilö | Tila | Seuranta |');
    expect(md).toContain('Työpaja 12.3.2025 · Muistio laadittu 9.4.2025');
    expect(md).toContain('**Kenelle: LINKKU**');
    expect(md).toContain('(aineeton)');
    expect(md).not.toMatch(/\b(Memo|Participants|Actions|Owner|Check date)\b/);
  });

  it('lists participants by actor, then the facilitator and observer', () => {
    expect(mdSection(renderMemoMarkdown(en()), 'Participants').filter(Boolean)).toEqual([
      '- **Associations:** Aino Virtanen, Pekka Laine',
      '- **LINKKU:** Sanna Koskinen',
      '- **Students:** Mikko Heikkinen, Laura Nieminen',
      '- **Facilitator:** Riikka Mäkelä',
      '- **Observer:** Jussi Salo',
    ]);
  });

  it('splits per-actor questions by the actor they are about', () => {
    const md = renderMemoMarkdown(en());
    const assoc = md.slice(md.indexOf('### Associations'), md.indexOf('### LINKKU'));
    expect(assoc).toContain('**To: LINKKU**\n\n- volunteers who know the villages\n- meeting places in the villages\n\n**To: Students**\n\n- real-life projects to work on');
    expect(assoc).toContain('**From: LINKKU**\n\n- a way to reach residents in remote villages\n\n**From: Students**\n\n- new ideas and extra hands');
  });

  it('lists the actions by check date, the one without a date last', () => {
    const rows = mdSection(renderMemoMarkdown(en()), 'Actions').filter((l) => l.startsWith('| ') && !l.startsWith('| Check date'));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| 20 May 2025', '| 15 June 2025', '| 15 August 2025', '| 29 August 2025', '| not agreed']);
    expect(rows[0]).toBe(
      '| 20 May 2025 | Set up a steering group of the bus, the associations and the university that meets every two months | Collaboration and its management | LINKKU | Sanna Koskinen | in progress | Minutes are sent to every partner |',
    );
  });

  it('flags an unsolved challenge theme in Markdown and HTML', () => {
    const input = en();
    const analysis = { ...input.analysis, matrix: input.analysis.matrix.filter((l) => l.challengeThemeId !== linkkuIds().themes.attitudes) };
    const md = mdSection(renderMemoMarkdown({ ...input, analysis }), 'Challenges and strengths').join('\n');
    expect(md).toContain('### 2. Attitudes\n\n> **Unsolved: no strength has been linked to this challenge yet.**');
    expect(md.match(/Unsolved/g)).toHaveLength(1);
    const html = renderMemoHtml({ ...input, analysis });
    expect(html.match(/<tr class="unsolved">/g)).toHaveLength(1);
    expect(html).toContain('<span class="flag">Unsolved: no strength has been linked to this challenge yet.</span>');
  });

  it('leaves blank notes out of the memo but not out of the CSV', () => {
    const input = withNote(en(), { text: '   ' });
    expect(renderMemoMarkdown(input)).toBe(renderMemoMarkdown(en()));
    expect(parseCsv(renderNotesCsv(input).slice(1))).toHaveLength(parseCsv(renderNotesCsv(en()).slice(1)).length + 1);
  });

  it('renders an empty or unknown workshop without failing', () => {
    const empty: MemoInput = { room: readRoom(new Y.Doc()), analysis: readAnalysis(new Y.Doc()), notes: [], generatedAt: LINKKU_TIMES.memo };
    const md = renderMemoMarkdown(empty);
    expect(md.startsWith('# Muistio\n')).toBe(true); // no meta: Finnish, no title
    expect(md).toContain('Osallistujia ei ole kirjattu.');
    expect(md).toContain('Toimenpiteistä ei ole sovittu.');
    expect(renderMemoHtml(empty)).toContain('<html lang="fi">');
    expect(renderNotesCsv(empty)).toBe('\uFEFFToimija,Kirjoittaja,Kysymys,Kohdetoimija,Teksti,Teema,Kirjoitettu\r\n');
    expect(JSON.parse(renderWorkshopJson(empty)).notes).toEqual([]);
  });

  it('keeps notes of participants who are not on any actor, and of questions the room lacks', () => {
    const md = renderMemoMarkdown(withNote(en(), { actorId: null, questionId: 'extra', text: 'a late thought' }));
    expect(md).toContain('### Other notes\n\n#### Other question (extra)\n\n- a late thought');
  });

  it('can be rendered in the other language than the workshop’s', () => {
    const md = renderMemoMarkdown({ ...en(), language: 'fi' });
    expect(md).toContain('## Toimenpiteet');
    expect(md).toContain('- **Associations:** networks; willingness to collaborate; flexibility'); // user text is never translated
  });
});

describe('escaping and determinism', () => {
  const hostile = '<script>alert("x")</script> & <b>bold</b> *star* [link](http://x) | pipe';

  it('HTML escapes <script> and every other markup in a note', () => {
    const html = renderMemoHtml(withNote(en(), { text: hostile }));
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>');
  });

  it('HTML escapes actor names, titles and theme names too, and never embeds the map SVG as markup', () => {
    const input = linkkuMemoInput('en', { mapSvg: MAP_SVG });
    const room = { ...input.room, meta: { ...input.room.meta!, title: '<img src=x onerror=alert(1)>' }, actors: input.room.actors.map((a) => ({ ...a, name: `<i>${a.name}</i>` })) };
    const analysis = { ...input.analysis, themes: input.analysis.themes.map((t) => ({ ...t, name: `${t.name}<hr>` })) };
    const html = renderMemoHtml({ ...input, room, analysis });
    expect(html).not.toMatch(/<script|<img src=x|<i>|<hr>/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain(`<img src="data:image/svg+xml;charset=utf-8,${encodeURIComponent(MAP_SVG)}"`);
  });

  it('Markdown escapes markup in a note so it stays text', () => {
    const md = renderMemoMarkdown(withNote(en(), { text: hostile }));
    expect(md).toContain('- \\<script\\>alert("x")\\</script\\> & \\<b\\>bold\\</b\\> \\*star\\* \\[link\\](http://x) \\| pipe');
    const lists = renderMemoMarkdown(withNote(en(), { text: '1. first\nsecond' }));
    expect(lists).toContain('- 1\\. first / second\n');
  });

  it('CSV quotes commas, quotes and line breaks (RFC 4180) and reads back to the same text', () => {
    const text = 'tiloja, "ilmaiseksi"\niltaisin\r\nja viikonloppuisin';
    const csv = renderNotesCsv(withNote(en(), { text }));
    expect(csv.startsWith('\uFEFFActor,Author,Question,About actor,Text,Theme,Created\r\n')).toBe(true);
    expect(csv).toContain(`,"tiloja, ""ilmaiseksi""\niltaisin\r\nja viikonloppuisin",`);
    const rows = parseCsv(csv.slice(1));
    expect(rows.every((r) => r.length === 7)).toBe(true);
    expect(rows.find((r) => r[4] === text)).toEqual(['LINKKU', 'Sanna Koskinen', '1b. What can you offer today to clients / residents?', '', text, '', '2025-03-12T12:24:00.001Z']);
    // The Finnish pilot has a comma inside a strength: quoted, and its theme named.
    const fiRows = parseCsv(renderNotesCsv(fi()).slice(1));
    expect(fiRows[0]).toEqual(['Toimija', 'Kirjoittaja', 'Kysymys', 'Kohdetoimija', 'Teksti', 'Teema', 'Kirjoitettu']);
    expect(fiRows.find((r) => r[4] === 'Luotettavuus, pitkät perinteet toiminnassa')![5]).toBe('Paikallinen läsnäolo');
  });

  it('CSV defuses text a spreadsheet would run as a formula', () => {
    const rows = parseCsv(renderNotesCsv(withNote(en(), { text: '=HYPERLINK("http://x","y")' })).slice(1));
    expect(rows.some((r) => r[4] === `'=HYPERLINK("http://x","y")`)).toBe(true);
  });

  it('JSON holds every note with its author, actor and theme', () => {
    const json = JSON.parse(renderWorkshopJson(en()));
    const ids = linkkuIds('en');
    expect(json.format).toBe('arvo-workshop');
    expect(json.meta.title).toBe('LINKKU service bus, associations and students');
    expect(json.notes).toHaveLength(41);
    expect(json.notes.find((n: { ref: string }) => n.ref === ids.notes['linkku.4a.suspicion'].ref)).toMatchObject({
      authorName: 'Sanna Koskinen', actorId: ids.actors.linkku, questionId: '4a', text: 'suspicion of the new', themeId: ids.themes.attitudes,
    });
    expect(json.analysis.themes).toHaveLength(6);
    expect(json.analysis.matrix).toHaveLength(13);
    expect(json.analysis.actions.map((a: { id: string }) => a.id)).toEqual(['LinkkuAction0001', 'LinkkuAction0002', 'LinkkuAction0004', 'LinkkuAction0003', 'LinkkuAction0005']);
  });

  it('never reads the clock: the same input gives the same bytes, and only generatedAt dates the memo', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('the memo must not read the clock');
    });
    const input = en();
    const renderers = [renderMemoMarkdown, renderMemoHtml, renderNotesCsv, renderWorkshopJson];
    for (const render of renderers) expect(render(input)).toBe(render(en()));
    const later = renderMemoMarkdown({ ...input, generatedAt: Date.UTC(2025, 11, 31, 21, 30) });
    expect(later).toContain('Memo written 31 December 2025'); // 23:30 in Helsinki
    expect(renderMemoMarkdown({ ...input, generatedAt: Date.UTC(2025, 11, 31, 22, 30) })).toContain('Memo written 1 January 2026'); // past midnight in Helsinki
    expect(renderMemoMarkdown({ ...input, generatedAt: Date.UTC(2025, 11, 31, 22, 30), timeZone: 'UTC' })).toContain('Memo written 31 December 2025');
  });

  it('does not depend on the order the notes come in', () => {
    const input = en();
    const shuffled = { ...input, notes: [...input.notes].reverse() };
    expect(renderMemoMarkdown(shuffled)).toBe(renderMemoMarkdown(input));
    expect(renderNotesCsv(shuffled)).toBe(renderNotesCsv(input));
    expect(renderWorkshopJson(shuffled)).toBe(renderWorkshopJson(input));
  });
});
