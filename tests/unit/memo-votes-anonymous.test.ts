import { describe, expect, it } from 'vitest';
import { renderMemoHtml, renderMemoMarkdown, renderNotesCsv, renderWorkshopJson, type MemoInput } from '../../shared/memo';
import { linkkuIds, linkkuMemoInput } from '../fixtures/linkku';

/** The memo with dot-votes and in anonymous mode (shared/memo/votes.ts, input.ts `anonymised`). */
const anonymous = (input: MemoInput): MemoInput => ({ ...input, room: { ...input.room, session: { ...input.room.session, anonymous: true } } });
const outputs = (input: MemoInput) => [renderMemoMarkdown(input), renderMemoHtml(input), renderNotesCsv(input), renderWorkshopJson(input)];

describe('memo: anonymous mode', () => {
  it('no participant name appears in any export; actors stay', () => {
    const input = linkkuMemoInput('en');
    const names = input.room.participants.map((p) => p.name).filter((n) => n.length >= 3);
    expect(names.length).toBeGreaterThan(0);
    // The same workshop, named: the names are there (so the check below can fail).
    const named = outputs(input).join('\n');
    expect(names.some((n) => named.includes(n))).toBe(true);
    // An action's owner ("who does it") is a commitment the facilitator types in, not authorship:
    // it stays by design (docs/schema.md). Cleared here so the check covers everything else.
    const withoutOwners = { ...input, analysis: { ...input.analysis, actions: input.analysis.actions.map((a) => ({ ...a, ownerName: '' })) } };
    const anon = outputs(anonymous(withoutOwners));
    for (const text of anon) for (const name of names) expect(text, `${name} leaked`).not.toContain(name);
    const actor = input.room.actors[0]!.name;
    for (const text of anon) expect(text).toContain(actor);
  });
});

describe('memo: dot-votes', () => {
  it('a Votes section lists themes and actions by votes, fi and en; none without votes', () => {
    const ids = linkkuIds('en');
    const themeId = Object.values(ids.themes)[0]!;
    const input = linkkuMemoInput('en');
    const theme = input.analysis.themes.find((t) => t.id === themeId)!;
    const action = input.analysis.actions[0]!;
    const votes = { [`theme:${themeId}`]: 2, [`action:${action.id}`]: 5 };
    const md = renderMemoMarkdown({ ...input, votes });
    const section = md.slice(md.indexOf('## Votes'));
    expect(section).toContain(`Action: ${action.what.trim().slice(0, 10)}`);
    expect(section.indexOf('5 votes')).toBeLessThan(section.indexOf('2 votes'));
    expect(section).toContain(theme.name);
    expect(renderMemoHtml({ ...input, votes })).toContain('<section id="votes">');
    expect(renderMemoMarkdown({ ...linkkuMemoInput('fi'), votes })).toContain('## Äänestys');
    expect(renderMemoMarkdown({ ...input, votes: {} })).toBe(renderMemoMarkdown(input));
    expect(renderMemoMarkdown(input)).not.toContain('## Votes');
  });
});
