import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { en } from '../../client/src/i18n/en';
import { fi } from '../../client/src/i18n/fi';
import { sv } from '../../client/src/i18n/sv';
import type { BoardView } from '../../client/src/routes';
import { screenshot, startBrowserSuite } from './harness';

/**
 * Rough edges on small screens and in the facilitator's dock, in headless Chromium against a real
 * server. On a 390-wide phone every view is reached from what is on screen — nothing of the top bar
 * lies past the right edge, where nobody would guess to look — in English and in Finnish (longer
 * words). And the question picker in the dock lets a facilitator tell the questions apart: 1a and
 * 1b begin with the same words, so the chosen question's whole text is shown, wrapped, and follows
 * the picker when it is stepped through with the arrow keys.
 */

const suite = startBrowserSuite();

const FACILITATOR_VIEWS: BoardView[] = ['wall', 'list', 'phone', 'analysis', 'map', 'actions', 'memo', 'replay', 'review'];

/** Every interactive element of the top bar that is rendered, with its box. */
async function topbarControls(page: Page) {
  return page.locator('header.topbar').evaluate((bar) =>
    [...bar.querySelectorAll<HTMLElement>('button, a, select, input, summary')]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => {
        const box = el.getBoundingClientRect();
        return { label: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' '), left: box.left, right: box.right, top: box.top, bottom: box.bottom };
      }),
  );
}

/** The views one can go to from the controls on screen: buttons by their text, a menu by its options. */
async function reachableViews(page: Page): Promise<string[]> {
  return page.locator('nav.views').evaluate((nav) => {
    const shown = (el: Element) => {
      const box = el.getBoundingClientRect();
      return el.getClientRects().length > 0 && box.left >= -0.5 && box.right <= innerWidth + 0.5 && box.top >= -0.5 && box.bottom <= innerHeight + 0.5;
    };
    const buttons = [...nav.querySelectorAll('button')].filter(shown).map((b) => (b.textContent ?? '').trim());
    const menus = [...nav.querySelectorAll('select')].filter(shown).flatMap((s) => [...s.options].map((o) => (o.textContent ?? '').trim()));
    return [...buttons, ...menus];
  });
}

describe('a phone 390 wide: the views', () => {
  for (const language of ['en', 'fi'] as const) {
    test(`${language}: every view is reached from what is on screen, and nothing of the top bar runs off the edge`, async () => {
      const workshop = await suite.workshop();
      const page = await suite.open(workshop, workshop.created.facilitatorToken, 'phone', { width: 390, height: 844, mobile: true, live: true });
      const catalogue = language === 'fi' ? fi : en;
      if (language === 'fi') {
        await page.evaluate(() => localStorage.setItem('arvo:language', 'fi'));
        await page.reload();
        await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 15_000 });
        await expect.poll(() => page.locator('nav.views').textContent()).toContain(fi['view.phone']);
      }
      await page.locator('nav.views').waitFor();
      await screenshot(page, `phone-views-${language}`);

      const past = (await topbarControls(page)).filter((c) => c.right > 390.5 || c.left < -0.5);
      expect(past, 'top-bar controls outside the 390 px screen').toEqual([]);
      const reachable = await reachableViews(page);
      for (const view of FACILITATOR_VIEWS) expect(reachable, `the ${view} view`).toContain(catalogue[`view.${view}`]);

      // And going there works: the last view, which was the one past the edge.
      const menu = page.locator('nav.views select');
      if (await menu.isVisible()) await menu.selectOption({ label: catalogue['view.review'] });
      else await page.locator('nav.views').getByRole('button', { name: catalogue['view.review'], exact: true }).click();
      await page.waitForURL(/view=review/, { timeout: 5_000 });
      await expect.poll(() => reachableViews(page)).toContain(catalogue['view.review']);
      if (await menu.isVisible()) expect(await menu.inputValue()).toBe('review');
    });
  }
});

/** The rows the top bar's visible contents lie on: a row begins below the bottom of everything on the one before. */
async function topbarRows(page: Page): Promise<number> {
  return page.locator('header.topbar').evaluate((bar) => {
    const boxes = [...bar.querySelectorAll<HTMLElement>('.title strong, button, a, select, [data-testid="connection-status"]')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('[hidden]'))
      .map((el) => el.getBoundingClientRect())
      .sort((a, b) => a.top - b.top);
    let rows = 0;
    let bottom = -Infinity;
    for (const box of boxes) {
      if (box.top >= bottom - 0.5) {
        rows += 1;
        bottom = box.bottom;
      } else bottom = Math.max(bottom, box.bottom);
    }
    return rows;
  });
}

describe('a facilitator’s phone 390 wide: the top bar', () => {
  for (const [language, catalogue] of [['en', en], ['fi', fi], ['sv', sv]] as const) {
    test(`${language}: two rows at most on the wall and the phone view; the tools behind one menu, reached by keyboard`, async () => {
      const workshop = await suite.workshop();
      const page = await suite.open(workshop, workshop.created.facilitatorToken, 'wall', { width: 390, height: 844, mobile: true, live: true });
      await page.evaluate((chosen) => localStorage.setItem('arvo:language', chosen), language);
      await page.reload();
      await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 15_000 });
      await expect.poll(() => page.locator('nav.views').textContent()).toContain(catalogue['view.phone']);
      await screenshot(page, `phone-topbar-facilitator-${language}`);
      expect(await topbarRows(page), 'rows of the top bar on the wall view').toBeLessThanOrEqual(2);
      expect((await topbarControls(page)).filter((c) => c.right > 390.5 || c.left < -0.5)).toEqual([]);
      const menu = page.getByTestId('topbar-menu');
      expect(await menu.textContent()).toContain(catalogue['board.menu']);

      // By keyboard: the menu opens, its items lie inside the screen, Questions opens its dialog,
      // and closing the dialog puts focus back on the menu button.
      await menu.focus();
      await page.keyboard.press('Enter');
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      const panel = page.locator(`#${await menu.getAttribute('aria-controls')}`);
      await screenshot(page, `phone-topbar-menu-${language}`);
      for (const name of [catalogue['view.screen'], catalogue['facilitator.hideControls'], catalogue['questions.open'], catalogue['share.open']]) {
        const box = (await panel.getByText(name, { exact: true }).boundingBox())!;
        expect(box.x >= 0 && box.x + box.width <= 390.5 && box.y + box.height <= 844.5, `${name} inside the screen`).toBe(true);
      }
      const questions = panel.getByTestId('questions-open');
      for (let i = 0; i < 12 && !(await questions.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.locator('dialog[open]').waitFor({ timeout: 5_000 });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await page.keyboard.press('Escape');
      await page.locator('dialog[open]').waitFor({ state: 'detached', timeout: 5_000 });
      await expect.poll(() => menu.evaluate((el) => el === document.activeElement)).toBe(true);
      // Esc closes the menu itself.
      await page.keyboard.press('Enter');
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await page.keyboard.press('Escape');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');

      await page.locator('nav.views select').selectOption('phone');
      await page.waitForURL(/view=phone/, { timeout: 5_000 });
      expect(await topbarRows(page), 'rows of the top bar on the phone view').toBeLessThanOrEqual(2);
    });
  }
});

describe('the facilitator’s question picker', () => {
  test('questions that begin alike are told apart: the chosen one’s whole text is shown, and follows the arrow keys', async () => {
    const workshop = await suite.workshop();
    const page = await suite.open(workshop, workshop.created.facilitatorToken, 'wall', { width: 1280, height: 800, live: true });
    const picker = page.getByTestId('round-question');
    await picker.waitFor();
    await picker.focus();
    await picker.selectOption('1a');
    await screenshot(page, 'question-picker-1a');

    const chosen = page.getByTestId('round-question-text');
    const whole = async () =>
      chosen.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return {
          text: el.textContent?.trim(),
          cut: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
          inSight: box.width > 0 && box.top >= 0 && box.bottom <= innerHeight && box.right <= innerWidth,
        };
      });
    await expect.poll(whole).toEqual({ text: '1a — What can you offer today to each of the other actors?', cut: false, inSight: true });
    // From the keyboard: the next question (Chromium changes a closed select with the arrow keys).
    await page.keyboard.press('ArrowDown');
    expect(await picker.inputValue()).toBe('1b');
    await expect.poll(whole).toEqual({ text: '1b — What can you offer today to clients / residents?', cut: false, inSight: true });
    expect(await picker.getAttribute('aria-describedby')).toBe(await chosen.getAttribute('id'));
    // A pointer resting on an option shows its whole text as well.
    const titles = await picker.locator('option').evaluateAll((options) => options.map((o) => [o.getAttribute('value'), o.getAttribute('title')]));
    expect(titles.slice(0, 2)).toEqual([
      ['1a', 'What can you offer today to each of the other actors?'],
      ['1b', 'What can you offer today to clients / residents?'],
    ]);
    await screenshot(page, 'question-picker-1b');
  });
});
