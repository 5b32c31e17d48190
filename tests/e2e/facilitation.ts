import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { WallHookNote } from '../../client/src/canvas/testHook';

/**
 * What a facilitator and participants do in the browser during a value-network workshop — rounds,
 * read-aloud, themes, the matrix, actions, the memo — through the UI only (test ids, labels and
 * element ids of the components). The board's own helpers are in harness.ts.
 */

// ——— navigation ———

export type BoardViewName = 'Wall' | 'List' | 'Phone' | 'Analysis' | 'Value map' | 'Actions' | 'Memo';
const VIEW_PARAM: Record<BoardViewName, string> = { Wall: 'wall', List: 'list', Phone: 'phone', Analysis: 'analysis', 'Value map': 'map', Actions: 'actions', Memo: 'memo' };

/** Clicks a view in the top bar (English UI) and waits for `?view=` to follow. */
export async function openView(page: Page, view: BoardViewName): Promise<void> {
  await page.locator('nav.views button', { hasText: new RegExp(`^${view}$`) }).click();
  await page.waitForURL((url) => url.searchParams.get('view') === VIEW_PARAM[view], { timeout: 5_000 });
}

// ——— rounds (the facilitator's dock on the wall) ———

export async function startRound(page: Page, questionId: string, minutes: number): Promise<void> {
  await page.getByTestId('round-question').selectOption(questionId);
  await page.getByTestId('round-minutes').fill(String(minutes));
  await page.getByTestId('start-round').click();
  await page.getByTestId('end-round').waitFor({ timeout: 5_000 });
}

export async function endRound(page: Page): Promise<void> {
  await page.getByTestId('end-round').click();
  await page.getByTestId('start-round').waitFor({ timeout: 5_000 });
}

/** The countdown a page shows, in seconds (null when no round bar is shown). */
export async function roundClockSeconds(page: Page): Promise<number | null> {
  const clock = page.getByTestId('round-clock');
  if ((await clock.count()) === 0) return null;
  const text = (await clock.textContent()) ?? '';
  const match = /(−?)(\d+):(\d{2})/.exec(text);
  if (!match) throw new Error(`unreadable round clock "${text}"`);
  return (match[1] ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

// ——— the wall ———

export interface NoteWhere {
  text: string;
  actorId: string;
  questionId: string;
  aboutActorId: string | null;
}

/** The notes a wall shows now (window.__arvoWall). */
export async function wallNotes(page: Page): Promise<WallHookNote[]> {
  return page.evaluate(() => window.__arvoWall?.notes ?? []);
}

/** Waits until a wall shows the note as posted (not a draft); returns it. */
export async function waitForPosted(page: Page, note: NoteWhere, mine: boolean, timeout = 5_000): Promise<WallHookNote> {
  try {
    const handle = await page.waitForFunction(
      ({ n, mine }) =>
        window.__arvoWall?.notes.find(
          (x) => x.text === n.text && x.actorId === n.actorId && x.questionId === n.questionId && x.aboutActorId === n.aboutActorId && x.mine === mine && !x.draft,
        ) ?? null,
      { n: note, mine },
      { timeout, polling: 50 },
    );
    return (await handle.jsonValue()) as WallHookNote;
  } catch (error) {
    const seen = (await wallNotes(page)).map((n) => `${n.actorId}/${n.questionId}/${n.aboutActorId ?? '-'}${n.draft ? ' (draft)' : ''}: ${n.text}`);
    throw new Error(`posted note ${JSON.stringify(note)} not on the wall within ${timeout} ms; it shows ${JSON.stringify(seen)}\n${String(error)}`);
  }
}

/** The area key of a note's place on the wall: `<actor>/<question>[/<about>]`. */
export const areaKeyOf = (note: NoteWhere) => `${note.actorId}/${note.questionId}${note.aboutActorId ? `/${note.aboutActorId}` : ''}`;

/** Asserts that a drawn note lies inside its question's area on its actor's flipchart. */
export async function expectInItsArea(page: Page, note: WallHookNote, where: NoteWhere): Promise<void> {
  const { areas, flipcharts } = await page.evaluate(() => ({ areas: window.__arvoWall!.areas, flipcharts: window.__arvoWall!.flipcharts }));
  const area = areas.find((a) => a.key === areaKeyOf(where));
  expect(area, `area ${areaKeyOf(where)} exists`).toBeDefined();
  const flipchart = flipcharts.find((f) => f.actorId === where.actorId)!;
  const inside = (r: { x: number; y: number; width: number; height: number }) =>
    note.x >= r.x - 0.5 && note.y >= r.y - 0.5 && note.x + note.width <= r.x + r.width + 0.5 && note.y + note.height <= r.y + r.height + 0.5;
  expect(inside(flipchart), `"${note.text}" on the flipchart of ${where.actorId}`).toBe(true);
  expect(inside(area!), `"${note.text}" in area ${area!.key} (${JSON.stringify(area)}; note at ${note.x},${note.y})`).toBe(true);
}

/** How far (CSS px) a wall note's centre is from the centre of the wall on screen, and the view's scale. */
export async function offCentre(page: Page, note: NoteWhere): Promise<{ distance: number; scale: number } | null> {
  return page.evaluate((n) => {
    const wall = window.__arvoWall;
    const host = document.querySelector('[data-testid="wall"]');
    const placed = wall?.notes.find((x) => x.text === n.text && x.actorId === n.actorId && x.questionId === n.questionId && x.aboutActorId === n.aboutActorId);
    if (!wall || !host || !placed) return null;
    const box = host.getBoundingClientRect();
    const p = wall.toScreen(placed.x + placed.width / 2, placed.y + placed.height / 2);
    return { distance: Math.hypot(p.x - (box.left + box.width / 2), p.y - (box.top + box.height / 2)), scale: wall.scale };
  }, note);
}

/** Waits until the wall's view has glided to the note and stopped there, centred (a follower's view takes ~0.4 s). */
export async function waitCentredOn(page: Page, note: NoteWhere, timeout = 3_000, tolerance = 12): Promise<{ distance: number; scale: number }> {
  const deadline = Date.now() + timeout;
  let last: { distance: number; scale: number } | null = null;
  let previous: { distance: number; scale: number } | null = null;
  for (;;) {
    last = await offCentre(page, note);
    // Centred, and the glide is over (the same view twice in a row).
    if (last && last.distance < tolerance && previous && previous.distance === last.distance && previous.scale === last.scale) return last;
    previous = last;
    if (Date.now() > deadline) throw new Error(`the view is not centred on "${note.text}" (${JSON.stringify(last)})`);
    await page.waitForTimeout(50);
  }
}

/** Where board point (0, 0) is on screen: changes whenever the view pans or zooms. */
export async function viewOrigin(page: Page): Promise<{ x: number; y: number; scale: number }> {
  return page.evaluate(() => ({ ...window.__arvoWall!.toScreen(0, 0), scale: window.__arvoWall!.scale }));
}

// ——— the phone view ———

/** Writes one answer in the phone view (during a round: a draft); picks the actor it is about first. */
export async function writeOnPhone(page: Page, questionId: string, text: string, aboutActorName?: string): Promise<void> {
  await page.locator(`form.compose .question-text[data-question-id="${questionId}"]`).waitFor({ timeout: 5_000 });
  if (aboutActorName) {
    const chip = page.locator('label.chip', { hasText: aboutActorName });
    await chip.click();
    await expect.poll(() => chip.getAttribute('class')).toContain('checked');
  }
  await page.locator('#phone-text').fill(text);
  await page.locator('form.compose button[type="submit"]').click();
  await expect.poll(() => page.locator('#phone-text').inputValue()).toBe('');
}

/** The phone's "my notes" list: text, question and whether it is still a draft. */
export async function phoneNotes(page: Page): Promise<Array<{ text: string; questionId: string; draft: boolean }>> {
  return page.locator('.mine li.note').evaluateAll((items) =>
    items.map((li) => ({ text: li.querySelector('.note-text')?.textContent?.trim() ?? '', questionId: li.getAttribute('data-question-id') ?? '', draft: li.classList.contains('draft') })),
  );
}

// ——— analysis: themes and the matrix ———

/** Creates a theme of a kind from the column's "new theme" field; returns its id. */
export async function createTheme(page: Page, kind: 'challenge' | 'strength', name: string): Promise<string> {
  await page.locator(`#new-theme-${kind}`).fill(name);
  await page.locator(`#new-theme-${kind}`).press('Enter');
  const handle = await page.waitForFunction(
    ({ kind, name }) =>
      [...document.querySelectorAll(`section.column.${kind} section.theme[data-theme-id]`)]
        .find((s) => s.querySelector('.name-button')?.firstChild?.textContent?.trim() === name)
        ?.getAttribute('data-theme-id') ?? null,
    { kind, name },
    { timeout: 5_000 },
  );
  return (await handle.jsonValue()) as string;
}

/** Moves a note (by its text and actor) into a theme with the card's "Move to theme" menu: the keyboard path. */
export async function assignToTheme(page: Page, kind: 'challenge' | 'strength', text: string, actorName: string, themeId: string): Promise<void> {
  const card = page
    .locator(`section.column.${kind} li.card`)
    .filter({ has: page.locator('p.text', { hasText: new RegExp(`^${escapeRegExp(text)}$`) }) })
    .filter({ has: page.locator('.meta .actor', { hasText: new RegExp(`^${escapeRegExp(actorName)}$`) }) });
  await expect.poll(() => card.count(), { message: `one ${kind} card "${text}" by ${actorName}` }).toBe(1);
  const ref = (await card.getAttribute('data-note-ref'))!;
  await card.locator('.move select').selectOption(themeId);
  await page.locator(`section.theme[data-theme-id="${themeId}"] li.card[data-note-ref="${ref}"]`).waitFor({ timeout: 5_000 });
}

/** Links a strength note (by actor and text) to a challenge theme with the matrix row's picker. */
export async function linkStrengthInMatrix(page: Page, themeId: string, actorName: string, text: string): Promise<void> {
  const picker = page.locator(`#pick-${themeId}`);
  const value = await picker.evaluate(
    (select, { actorName, text }) => {
      for (const group of select.querySelectorAll('optgroup')) {
        if (group.label !== `Strengths of ${actorName}`) continue;
        for (const option of group.querySelectorAll('option')) if (option.textContent?.trim() === text) return option.value;
      }
      return null;
    },
    { actorName, text },
  );
  expect(value, `the picker of ${themeId} offers "${text}" of ${actorName}`).toBeTruthy();
  await picker.selectOption(value!);
  await picker.locator('xpath=ancestor::form').locator('button[type="submit"]').click();
  // Linked: it leaves the picker and shows in the row.
  await expect.poll(() => picker.locator(`option[value="${value}"]`).count()).toBe(0);
}

export interface MatrixRow {
  theme: string;
  challenges: string[];
  /** What is needed to solve it. */
  need: string;
  strengths: Array<{ actor: string; items: string[] }>;
  unsolved: boolean;
}

/** The matrix table as shown (data-testid="matrix"): per row the theme, its notes, and the strengths by actor. */
export async function readMatrix(page: Page): Promise<MatrixRow[]> {
  return page.getByTestId('matrix').evaluate((table) =>
    [...table.querySelectorAll('tbody > tr[data-theme-id]')].map((tr) => {
      const textOf = (el: Element | null, drop: string[] = []) => {
        if (!el) return '';
        const copy = el.cloneNode(true) as Element;
        for (const selector of drop) copy.querySelectorAll(selector).forEach((x) => x.remove());
        return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
      };
      return {
        theme: textOf(tr.querySelector('.theme-name'), ['.num']),
        challenges: [...tr.querySelectorAll('.challenge-notes > li')].map((li) => textOf(li)),
        need: tr.querySelector<HTMLTextAreaElement>('.need-cell textarea')?.value ?? textOf(tr.querySelector('.need-cell .need-text')),
        strengths: [...tr.querySelectorAll('.strengths-cell .groups > li.group')].map((group) => ({
          actor: textOf(group.querySelector('.whose strong')),
          items: [...group.querySelectorAll('.items > li .item-text')].map((item) => textOf(item, ['.by'])),
        })),
        unsolved: tr.classList.contains('unsolved'),
      };
    }),
  );
}

// ——— actions ———

export interface AgreedAction {
  themeId: string | null;
  what: string;
  ownerActorName: string;
  person: string;
  checkDate: string;
}

/** Adds an action under its theme and fills in owner actor, person and check date; returns its id. */
export async function addAction(page: Page, action: AgreedAction): Promise<string> {
  const key = action.themeId ?? 'general';
  const block = page.locator(`section.theme-block:has(#add-action-${key})`);
  const before = await block.locator('li.action[data-action-id]').evaluateAll((items) => items.map((li) => li.getAttribute('data-action-id')!));
  await page.locator(`#add-action-${key}`).fill(action.what);
  await page.locator(`#add-action-${key}`).press('Enter');
  const handle = await page.waitForFunction(
    ({ key, before }) =>
      [...document.querySelectorAll(`section.theme-block:has(#add-action-${key}) li.action[data-action-id]`)]
        .map((li) => li.getAttribute('data-action-id')!)
        .find((id) => !before.includes(id)) ?? null,
    { key, before },
    { timeout: 5_000 },
  );
  const id = (await handle.jsonValue()) as string;
  await page.locator(`#action-${id}-actor`).selectOption({ label: action.ownerActorName });
  await page.locator(`#action-${id}-person`).fill(action.person);
  await page.locator(`#action-${id}-person`).press('Enter');
  await page.locator(`#action-${id}-date`).fill(action.checkDate);
  await page.locator(`#action-${id}-date`).press('Enter');
  return id;
}

export interface ActionRow {
  id: string;
  checkDate: string;
  what: string;
  theme: string;
  owner: string;
  person: string;
  status: string;
}

/** The all-actions table (data-testid="actions"), in its order. */
export async function readActionsTable(page: Page): Promise<ActionRow[]> {
  return page.getByTestId('actions').evaluate((table) =>
    [...table.querySelectorAll('tbody > tr[data-action-id]')].map((tr) => {
      const text = (selector: string) => (tr.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      const status = tr.querySelector<HTMLSelectElement>('td.status select');
      return {
        id: tr.getAttribute('data-action-id')!,
        checkDate: tr.querySelector('td.date time')?.getAttribute('datetime') ?? '',
        what: text('.what'),
        theme: text('.theme'),
        owner: text('.owner'),
        person: text('.person'),
        status: status ? status.value : text('td.status'),
      };
    }),
  );
}

// ——— the memo ———

/** The matrix section of the memo HTML shown in the preview iframe (its srcdoc), row by row. */
export async function readMemoMatrix(page: Page): Promise<{ heading: string | null; rows: MatrixRow[] }> {
  return page.getByTestId('memo-preview').evaluate((frame) => {
    const doc = new DOMParser().parseFromString((frame as HTMLIFrameElement).srcdoc, 'text/html');
    const heading = [...doc.querySelectorAll('h2')].find((h) => h.textContent?.trim() === 'Challenges and strengths') ?? null;
    let table: Element | null = heading;
    while (table && !(table.tagName === 'TABLE' && table.classList.contains('matrix'))) {
      table = table.nextElementSibling;
      if (table?.tagName === 'H2') table = null;
    }
    const clean = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
    const rows = table
      ? [...table.querySelectorAll('tbody > tr')].map((tr) => {
          const [themeCell, needCell, strengthCell] = [...tr.children];
          const strengths: Array<{ actor: string; items: string[] }> = [];
          for (const p of strengthCell?.querySelectorAll(':scope > p') ?? []) {
            const list = p.nextElementSibling?.tagName === 'UL' ? p.nextElementSibling : null;
            strengths.push({ actor: clean(p.querySelector('strong')?.textContent).replace(/:$/, ''), items: [...(list?.querySelectorAll('li') ?? [])].map((li) => clean(li.textContent)) });
          }
          return {
            theme: clean(themeCell?.querySelector('strong')?.textContent),
            challenges: [...(themeCell?.querySelectorAll('li') ?? [])].map((li) => clean(li.textContent)),
            need: clean(needCell?.textContent),
            strengths,
            unsolved: strengths.length === 0,
          };
        })
      : [];
    return { heading: heading ? clean(heading.textContent) : null, rows };
  });
}

/** The Markdown memo's "Challenges and strengths" section: `### n. Theme` and `- **Actor:** a; b` lines. */
export function markdownMatrix(markdown: string): Array<{ theme: string; need: string; strengths: Array<{ actor: string; items: string[] }> }> {
  const start = markdown.indexOf('\n## Challenges and strengths');
  if (start < 0) throw new Error('the memo has no "Challenges and strengths" section');
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const rows: Array<{ theme: string; need: string; strengths: Array<{ actor: string; items: string[] }> }> = [];
  let inStrengths = false;
  for (const line of section.split('\n')) {
    const heading = /^### (.+)$/.exec(line);
    if (heading) {
      rows.push({ theme: heading[1]!.trim(), need: '', strengths: [] });
      inStrengths = false;
      continue;
    }
    const need = /^What is needed: (.*)$/.exec(line);
    if (need && rows.length > 0) rows[rows.length - 1]!.need = need[1]!.trim();
    if (line.startsWith('Strengths that can solve it')) inStrengths = true;
    else if (/^\S/.test(line) && !line.startsWith('- ')) inStrengths = false;
    const group = /^- \*\*(.+?):\*\* (.+)$/.exec(line);
    if (group && inStrengths && rows.length > 0) rows[rows.length - 1]!.strengths.push({ actor: group[1]!, items: group[2]!.split('; ').map((s) => s.trim()) });
  }
  return rows;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
