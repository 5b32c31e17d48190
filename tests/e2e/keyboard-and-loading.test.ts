import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { en } from '../../client/src/i18n/en';
import { fi } from '../../client/src/i18n/fi';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { screenshot, startBrowserSuite } from './harness';

/**
 * Two rough edges a facilitator would notice, in headless Chromium against a real server serving
 * the built client. A chunk that does not load (the Wi-Fi dropped, or the server was updated since
 * the page loaded) says so in the page's language with "Try again" — never a blank page — and the
 * retry loads it once the network is back. And the board's controls and its list view (the way to
 * the notes without the canvas) are all reached with Tab, each with a focus ring one can see.
 * (board.test.ts already writes and moves a note in the list view from the keyboard.) And a phone
 * with its on-screen keyboard open (a 390×500 page: index.html lets the keyboard resize it) keeps
 * the box being written in and its Save button both in sight, one not over the other, with the word
 * that the note stays private until the round ends right under Save.
 */

const suite = startBrowserSuite();

/** Makes the browser fail to fetch the chunk whose file name starts with `chunk` until `restore`. */
async function breakChunk(page: Page, chunk: string): Promise<{ restore: () => Promise<void>; attempts: () => number }> {
  const pattern = new RegExp(`/assets/${chunk}-[^/]+\\.js$`);
  let attempts = 0;
  const handler = (route: { abort: () => Promise<void> }) => {
    attempts++;
    return route.abort();
  };
  await page.route(pattern, handler);
  return { restore: () => page.unroute(pattern, handler), attempts: () => attempts };
}

describe('a part of the client that does not load', () => {
  test('the value map: a translated message with Try again in place of the view, and the retry loads it', async () => {
    const workshop = await suite.workshop();
    const page = await suite.open(workshop, workshop.created.facilitatorToken, 'wall', { live: true });
    const broken = await breakChunk(page, 'MapView');
    await page.getByRole('button', { name: en['view.map'], exact: true }).click();
    const failed = page.getByTestId('load-failed');
    await failed.waitFor({ timeout: 10_000 });
    expect(broken.attempts()).toBeGreaterThan(0);
    expect(await failed.getAttribute('role')).toBe('alert');
    expect(await failed.locator('p').first().textContent()).toBe(en['load.failed']);
    // The rest of the board stays usable around it: the views can still be switched.
    expect(await page.getByRole('button', { name: en['view.wall'], exact: true }).isEnabled()).toBe(true);
    await screenshot(page, 'load-failed-map');

    await broken.restore();
    await failed.getByRole('button', { name: en['load.retry'] }).click();
    await page.getByTestId('map-draw').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('load-failed').count()).toBe(0);
  });

  test('the start page in Finnish: the message and the button are Finnish, and the retry shows the form', async () => {
    const person = await suite.person();
    const { page } = person;
    await page.goto(`${suite.server.url}/`);
    await page.locator('#start-title').waitFor();
    await page.evaluate(() => localStorage.setItem('arvo:language', 'fi'));
    // A new tab on the start page (the chunk is not in this page's memory yet).
    const fresh = await person.context.newPage();
    fresh.on('pageerror', (error) => person.errors.push(error.message));
    const broken = await breakChunk(fresh, 'StartPage');
    await fresh.goto(`${suite.server.url}/`);
    const failed = fresh.getByTestId('load-failed');
    await failed.waitFor({ timeout: 10_000 });
    await expect.poll(() => failed.locator('p').first().textContent()).toBe(fi['load.failed']);
    const retry = failed.getByRole('button', { name: fi['load.retry'] });
    expect(await retry.count()).toBe(1);

    await broken.restore();
    await retry.click();
    await fresh.locator('#start-title').waitFor({ timeout: 10_000 });
    expect(await fresh.locator('#start-title').textContent()).toBe(fi['start.title']);
  });
});

/** What has the focus, where it is and whether a sighted keyboard user can see that it has it. */
interface Focused {
  label: string;
  tag: string;
  /** Inside the list view, the facilitator's dock, the top bar… (the nearest landmark-ish container). */
  area: string;
  inViewport: boolean;
  ring: boolean;
}

async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!(el instanceof HTMLElement) || el === document.body) return null;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow !== 'none' && el.matches(':focus-visible');
    const area = el.closest('.list-view') ? 'list' : el.closest('[data-testid="facilitator-controls"]') ? 'controls' : el.closest('.topbar') ? 'topbar' : el.closest('.round-bar, [data-testid="round-bar"]') ? 'round' : 'other';
    return {
      label: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60) || el.id || el.tagName,
      tag: el.tagName.toLowerCase(),
      area,
      inViewport: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth,
      ring: outline || shadow,
    };
  });
}

/** Presses Tab until the focus comes back round to the first stop (or `max` presses): one whole cycle. */
async function tabAround(page: Page, max = 400): Promise<Focused[]> {
  await page.locator('body').focus();
  const seen: Focused[] = [];
  const firstKey = (f: Focused) => `${f.tag}|${f.label}|${f.area}`;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (!now) continue;
    if (seen.length > 0 && firstKey(now) === firstKey(seen[0]!)) break;
    seen.push(now);
  }
  return seen;
}

function expectAllSeen(stops: Focused[]): void {
  expect(stops.filter((s) => !s.inViewport), 'focused but out of sight or zero-sized').toEqual([]);
  expect(stops.filter((s) => !s.ring), 'focused without a visible focus ring').toEqual([]);
}

describe('the board from the keyboard', () => {
  test('the facilitator: every view, the panels and the round controls are reached with Tab, on screen, with a visible focus ring', async () => {
    const workshop = await suite.workshop();
    const page = await suite.open(workshop, workshop.created.facilitatorToken, 'list', { live: true, width: 1280, height: 800 });
    await page.locator('.list-view').waitFor();

    const stops = await tabAround(page);
    const labels = stops.map((s) => s.label);
    for (const view of ['wall', 'list', 'phone', 'analysis', 'map', 'actions', 'memo', 'replay', 'review'] as const) {
      expect(labels, `the ${view} view button`).toContain(en[`view.${view}`]);
    }
    for (const control of [en['share.open'], en['questions.open'], en['facilitator.startRound'], en['facilitator.hideControls']]) expect(labels).toContain(control);
    expect(stops.some((s) => s.area === 'controls'), 'the facilitator’s dock').toBe(true);
    expect(stops.some((s) => s.area === 'list'), 'the list view').toBe(true);
    expectAllSeen(stops);
  });

  test('a participant’s list view: the note’s own buttons and every Add note are reached with Tab, on screen, with a visible focus ring', async () => {
    const workshop = await suite.workshop();
    const ann = await workshop.join('Ann', 'Municipality');
    const page = await suite.open(workshop, ann.token, 'list', { live: true, width: 1280, height: 800 });
    await page.locator('.list-view').waitFor();
    // The first Tab offers to skip the top bar; Enter on it puts the next Tab inside the list.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ label: en['board.skipToContent'], inViewport: true, ring: true });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect((await focused(page))?.area).toBe('list');
    expect(new URL(page.url()).hash).toBe('');
    await page.locator('.list-view button.add').first().click();
    await page.keyboard.type('Evening meeting rooms');
    await page.keyboard.press('Enter');
    await page.locator('.list-view li.note .note-text', { hasText: 'Evening meeting rooms' }).waitFor({ timeout: 5_000 });

    const stops = await tabAround(page);
    const inList = stops.filter((s) => s.area === 'list');
    expect(inList.filter((s) => s.label.replace(/^\+\s*/, '').startsWith(en['note.add'])).length, 'Add note buttons').toBeGreaterThan(1);
    for (const action of [en['common.edit'], en['common.delete']]) {
      expect(inList.some((s) => s.label.startsWith(`${action}: Evening meeting rooms`)), `${action} on my note`).toBe(true);
    }
    expect(stops.some((s) => s.label === en['view.wall']), 'the view buttons').toBe(true);
    expectAllSeen(stops);
  });
});

describe('a phone with the on-screen keyboard open', () => {
  test('390×500 during a round: the answer box and Save are both in sight, not overlapping; the question is said once', async () => {
    const workshop = await suite.workshop();
    const ann = await workshop.join('Ann', 'Municipality');
    startRound(workshop.room.doc, '1b', 10 * 60_000, Date.now(), LOCAL_ORIGIN);
    const page = await suite.open(workshop, ann.token, 'phone', { width: 390, height: 500, mobile: true, live: true });
    const box = page.locator('#phone-text');
    await box.waitFor();
    await page.getByTestId('round-clock').waitFor();
    await box.focus();
    await page.keyboard.type('Our school gym is free on weekday evenings after six, and the caretaker can open it for clubs');
    const save = page.locator('form.compose button[type="submit"]');
    // Scrolling settles a frame after the focus: wait until both are in sight.
    const seen = () =>
      page.evaluate(() => {
        const rect = (el: Element | null) => el!.getBoundingClientRect();
        const textarea = rect(document.querySelector('#phone-text'));
        const button = rect(document.querySelector('form.compose button[type="submit"]'));
        const inSight = (r: DOMRect) => r.top >= 0 && r.bottom <= innerHeight + 0.5;
        return { textarea: inSight(textarea), button: inSight(button), apart: textarea.bottom <= button.top + 0.5 };
      });
    await expect.poll(seen, { timeout: 5_000 }).toEqual({ textarea: true, button: true, apart: true });
    expect(await save.textContent()).toBe(en['phone.saveDraft']);
    // That the note stays private until the round ends is said right at Save, in sight above the keyboard.
    const privacy = page.getByTestId('phone-private');
    expect(await privacy.textContent()).toContain(en['phone.privateUntilEnd']);
    const saveBox = (await save.boundingBox())!;
    const privacyBox = (await privacy.boundingBox())!;
    expect(privacyBox.y >= 0 && privacyBox.y + privacyBox.height <= 500.5, `the privacy line in sight: ${JSON.stringify(privacyBox)}`).toBe(true);
    expect(privacyBox.y, 'under Save, not over it').toBeGreaterThanOrEqual(saveBox.y + saveBox.height - 0.5);
    expect(privacyBox.y - (saveBox.y + saveBox.height), 'next to Save').toBeLessThan(16);
    // The clock stays; the round's question is in the card above the box, not in the bar as well.
    expect(await page.getByTestId('round-clock').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="round-bar"] .question').isVisible()).toBe(false);
    expect(await page.locator('form.compose .question-text').isVisible()).toBe(true);
    await screenshot(page, 'phone-keyboard-open');
  });

  test('390×500 in the list view, Finnish: a new note’s editor says beside Save that it stays private until the round ends', async () => {
    const workshop = await suite.workshop();
    const ann = await workshop.join('Ann', 'Municipality');
    startRound(workshop.room.doc, '1b', 10 * 60_000, Date.now(), LOCAL_ORIGIN);
    const page = await suite.open(workshop, ann.token, 'list', { width: 390, height: 500, mobile: true, live: true });
    await page.evaluate(() => localStorage.setItem('arvo:language', 'fi'));
    await page.reload();
    await page.locator('.list-view').waitFor();
    await expect.poll(() => page.locator('nav.views select').inputValue()).toBe('list');
    const add = page.locator('.list-view section.question[data-question-id="1b"] button.add').first();
    await expect.poll(() => add.textContent()).toContain(fi['note.add']);
    await add.click();
    await page.keyboard.type('Koulun sali on vapaana arki-iltaisin');
    const privacy = page.getByTestId('editor-private');
    expect(await privacy.textContent()).toBe(fi['phone.privateUntilEnd']);
    const save = page.locator('.note-editor button[type="submit"]');
    const inSight = async () => {
      const [p, b, box] = [(await privacy.boundingBox())!, (await save.boundingBox())!, (await page.locator('.note-editor textarea').boundingBox())!];
      return { boxClear: box.y + box.height <= p.y + 0.5, privacy: p.y >= 0 && p.y + p.height <= 500.5 && p.x >= 0 && p.x + p.width <= 390.5, save: b.y >= 0 && b.y + b.height <= 500.5, rightAbove: b.y - (p.y + p.height) >= -0.5 && b.y - (p.y + p.height) < 12 };
    };
    await expect.poll(inSight, { timeout: 5_000 }).toEqual({ boxClear: true, privacy: true, save: true, rightAbove: true });
    await screenshot(page, 'list-keyboard-open-fi');
  });
});
