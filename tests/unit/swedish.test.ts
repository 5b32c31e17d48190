import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { en } from '../../client/src/i18n/en';
import { fi } from '../../client/src/i18n/fi';
import { sv } from '../../client/src/i18n/sv';
import { renderMemoHtml, renderMemoMarkdown, renderNotesCsv } from '../../shared/memo';
import { memoInputFromDocs } from '../../shared/memo/input';
import { questionHeading } from '../../shared/memo/model';
import { formatDate } from '../../shared/memo/format';
import { MEMO_STRINGS } from '../../shared/memo/strings';
import { workshopInputSchema } from '../../shared/ops/room';
import { readRoom } from '../../shared/read/snapshot';
import { asLanguage, LANGUAGES, localised } from '../../shared/schema/common';
import { metaSchema, TEMPLATES } from '../../shared/schema/meta';
import { questionSchema } from '../../shared/schema/question';
import { ACTOR_PALETTE } from '../../shared/templates/palette';
import { templateQuestions } from '../../shared/templates/questions';
import { linkkuMemoInput } from '../fixtures/linkku';

/** The `{name}` placeholders of a string, sorted (t() fills them by name, so the sets must match). */
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the Swedish UI catalogue', () => {
  it('has exactly the English keys, none of them empty', () => {
    expect(Object.keys(sv).sort()).toEqual(Object.keys(en).sort());
    const empty = Object.entries(sv).filter(([, text]) => !text.trim()).map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it('uses the same {placeholders} as English in every string', () => {
    const mismatched = Object.keys(en)
      .filter((key) => placeholders(sv[key as keyof typeof en]).join() !== placeholders(en[key as keyof typeof en]).join())
      .map((key) => `${key}: sv ${placeholders(sv[key as keyof typeof en]).join()} / en ${placeholders(en[key as keyof typeof en]).join()}`);
    expect(mismatched).toEqual([]);
  });

  it('is translated, not copied: most strings differ from English and Finnish', () => {
    const keys = Object.keys(en) as Array<keyof typeof en>;
    const sameAsEnglish = keys.filter((key) => sv[key] === en[key] && /[a-z]{4,}/i.test(en[key]));
    // Shared words only: names, formats, "Status", "Markdown", "HTML", "Zoom", "Server", "Text"…
    expect(sameAsEnglish.length).toBeLessThan(keys.length / 20);
    expect(keys.filter((key) => sv[key] === fi[key] && /[a-zäö]{6,}/i.test(fi[key])).length).toBeLessThan(keys.length / 40);
  });

  it('names every language in every catalogue, each in its own language', () => {
    for (const catalogue of [en, fi, sv]) {
      expect(LANGUAGES.map((l) => catalogue[`language.${l}`])).toEqual(['Suomi', 'Svenska', 'English']);
    }
  });
});

describe('Swedish in the schema', () => {
  it('accepts sv as a workshop language and for the UI', () => {
    expect(workshopInputSchema.parse({ title: 'Byns servicenätverk', template: 'value-network', language: 'sv' }).language).toBe('sv');
    expect(metaSchema.safeParse({ schemaVersion: 1, title: 'T', template: 'blank', language: 'sv', phase: 'setup', createdAt: 1 }).success).toBe(true);
    expect(asLanguage('sv')).toBe('sv');
    expect(asLanguage('de')).toBeNull();
  });

  it('reads questions without sv (documents made before Swedish) and falls back to English, then Finnish', () => {
    const old = { id: '1a', order: 1, kind: 'offer', perActor: true, text: { fi: 'Mitä voitte tarjota?', en: 'What can you offer?' } };
    const parsed = questionSchema.parse(old);
    expect(parsed.text.sv).toBeUndefined();
    expect(localised(parsed.text, 'sv')).toBe('What can you offer?');
    expect(localised({ fi: 'Vain suomeksi', en: '', sv: ' ' }, 'sv')).toBe('Vain suomeksi');
    expect(localised({ fi: '', en: '', sv: 'Bara på svenska' }, 'fi')).toBe('Bara på svenska');
    expect(localised(undefined, 'sv')).toBe('');
    expect(questionSchema.parse({ ...old, text: { ...old.text, sv: 'Vad kan ni erbjuda?' } }).text.sv).toBe('Vad kan ni erbjuda?');
  });

  it('keeps a room document without sv texts readable: readRoom returns its questions, the memo falls back', () => {
    const doc = new Y.Doc();
    doc.transact(() => {
      const meta = doc.getMap('meta');
      for (const [k, v] of Object.entries({ schemaVersion: 1, title: 'Vanha työpaja', template: 'value-network', language: 'fi', phase: 'setup', createdAt: 1 })) meta.set(k, v);
      const question = new Y.Map<unknown>();
      for (const [k, v] of Object.entries({ id: '1a', order: 1, kind: 'offer', perActor: false, text: { fi: 'Mitä voitte tarjota?', en: 'What can you offer?' } })) question.set(k, v);
      doc.getMap('questions').set('1a', question);
    });
    const room = readRoom(doc);
    expect(room.questions.map((q) => q.id)).toEqual(['1a']);
    expect(questionHeading(room.questions[0]!, 'sv')).toBe('1a. What can you offer?');
    const md = renderMemoMarkdown(memoInputFromDocs(doc, new Map(), { generatedAt: 1, language: 'sv' }));
    expect(md).toContain('Promemoria: Vanha työpaja');
  });
});

describe('the templates in Swedish', () => {
  it('give every question of every template a Swedish text of its own', () => {
    for (const template of TEMPLATES) {
      for (const question of templateQuestions(template)) {
        expect(question.text.sv?.trim(), `${template} ${question.id}`).toBeTruthy();
        expect(question.text.sv).not.toBe(question.text.en);
        expect(question.text.sv).not.toBe(question.text.fi);
        expect(questionSchema.safeParse(question).success).toBe(true);
      }
    }
    expect(templateQuestions('value-network').map((q) => q.text.sv)).toContain('Vilka är era styrkor med tanke på samarbetet?');
  });

  it('name every actor colour in Swedish', () => {
    for (const entry of ACTOR_PALETTE) expect(entry.name.sv.trim()).not.toBe('');
  });
});

describe('the memo in Swedish', () => {
  const input = () => ({ ...linkkuMemoInput('en'), language: 'sv' as const });

  it('renders headings, questions and dates in Swedish', () => {
    const md = renderMemoMarkdown(input());
    const s = MEMO_STRINGS.sv;
    expect(md).toContain('# Promemoria: ');
    for (const heading of [s.participants, s.flipcharts, s.themes, s.matrix, s.valueMap, s.actions]) expect(md).toContain(heading);
    expect(md).toContain('1a. Vad kan ni i dag erbjuda nätverkets övriga aktörer?');
    expect(md).toContain('4b. Vilka utmaningar/problem finns det i att ordna tjänster?');
    expect(md).not.toContain("The actors' flipcharts");
    expect(md).not.toContain('What can you offer today');
    expect(md).toMatch(/\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4}/);
  });

  it('renders the HTML memo with lang="sv" and Swedish CSV headers', () => {
    const html = renderMemoHtml(input());
    expect(html).toMatch(/<html lang="sv"/);
    expect(html).toContain('Aktörernas blädderblock');
    const header = renderNotesCsv(input()).split(/\r?\n/)[0];
    expect(header).toContain('Aktör');
    expect(header).toContain('Fråga');
  });

  it('writes dates as "12 mars 2025"', () => {
    expect(formatDate(Date.UTC(2025, 2, 12, 10), 'sv', 'Europe/Helsinki')).toBe('12 mars 2025');
  });
});
