import { describe, expect, it } from 'vitest';
import { screenshot, startBrowserSuite, waitForWall, type Person } from './harness';

/**
 * Swedish (issue 9) in real Chromium: a facilitator whose browser speaks English switches the
 * start page to Swedish, creates a Swedish workshop, and sees the board, its questions and the
 * memo in Swedish; a participant on an English UI switches to Swedish on the board.
 */
const suite = startBrowserSuite();

async function person(options: { width?: number; height?: number } = {}): Promise<Person> {
  return suite.person(options);
}

describe('a workshop in Swedish', () => {
  let participantLink = '';
  let workshopId = '';

  it('is created from the Swedish start page; the board, its questions and the memo are Swedish', async () => {
    const { page } = await person({ width: 1440, height: 900 });
    await page.goto(suite.server.url);
    // The UI language switch in the masthead: the page answers in Swedish at once.
    await page.locator('.language-switch button[lang="sv"]').click();
    await page.locator('h1', { hasText: 'Starta ett arbetsmöte' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');

    await page.locator('#title').fill('Byns servicenätverk');
    await page.locator('label:has(input[name="language"][value="sv"])').click();
    await page.locator('label:has(input[name="template"][value="value-network"])').click();
    // A preset goes in in the workshop's language.
    await page.locator('button', { hasText: 'Församling' }).first().click();
    expect(await page.locator('input[id^="actor-name-"]').last().inputValue()).toBe('Församling');
    for (const name of ['Kommunen', 'Byaföreningen']) {
      await page.locator('#actor-add').click();
      const field = page.locator('input[id^="actor-name-"]').last();
      await field.waitFor();
      await field.fill(name);
    }
    await screenshot(page, 'swedish-start');
    await page.locator('form button[type="submit"]', { hasText: 'Skapa arbetsmöte' }).click();
    await page.waitForURL(/\/w\/[0-9A-Za-z]{16}$/, { timeout: 15_000 });
    workshopId = new URL(page.url()).pathname.split('/')[2]!;
    const share = page.locator('dialog.share[open]');
    await share.locator('#share-participant-input').waitFor({ timeout: 15_000 });
    participantLink = await share.locator('#share-participant-input').inputValue();
    expect(await share.textContent()).toContain('Deltagarlänk');
    await share.locator('button', { hasText: /^Klar$/ }).first().click();

    // The board's chrome is Swedish.
    const nav = page.locator('nav.views');
    for (const label of ['Vägg', 'Lista', 'Analys', 'Värdekarta', 'Åtgärder', 'Promemoria']) {
      expect(await nav.locator('button', { hasText: new RegExp(`^${label}$`) }).count(), label).toBe(1);
    }
    await waitForWall(page, 15_000);
    await screenshot(page, 'swedish-wall');

    // The questions are Swedish (the list view has them as headings).
    await nav.locator('button', { hasText: /^Lista$/ }).click();
    await page.waitForURL((url) => url.searchParams.get('view') === 'list');
    const headings = page.locator('h3[id^="q-"]');
    await headings.first().waitFor();
    const texts = await headings.allTextContents();
    expect(texts).toContain('Vad kan ni i dag erbjuda klienterna/invånarna?');
    expect(texts).toContain('Vilka utmaningar/problem finns det i samarbetet?');
    expect(texts.join(' ')).not.toMatch(/What can you offer|Mitä voitte tarjota/);

    // The memo preview is Swedish, with the workshop's title and a Swedish question.
    await nav.locator('button', { hasText: /^Promemoria$/ }).click();
    await page.waitForURL((url) => url.searchParams.get('view') === 'memo');
    const preview = page.getByTestId('memo-preview');
    await preview.waitFor();
    await page.waitForFunction(() => ((document.querySelector('[data-testid="memo-preview"]') as HTMLIFrameElement | null)?.srcdoc ?? '').includes('Promemoria'), null, { timeout: 10_000 });
    const srcdoc = await preview.evaluate((frame) => (frame as HTMLIFrameElement).srcdoc);
    expect(srcdoc).toContain('<html lang="sv"');
    expect(srcdoc).toContain('Promemoria: Byns servicenätverk');
    expect(srcdoc).toContain('Aktörernas blädderblock');
    expect(srcdoc).not.toContain("The actors' flipcharts");
    await screenshot(page, 'swedish-memo');
  }, 120_000);

  it('a participant whose UI is English switches it to Swedish on the board', async () => {
    expect(participantLink).not.toBe('');
    const participant = await person({ width: 1280, height: 800 });
    const { page } = participant;
    // This participant chose English before (remembered), so the Swedish workshop opens in English.
    await page.goto(suite.server.url);
    await page.locator('.language-switch button[lang="en"]').click();
    await page.goto(participantLink);
    await page.locator('#join-name').fill('Anna');
    await page.locator('label.actor-option', { hasText: 'Kommunen' }).click();
    await page.locator('form button[type="submit"]').click();
    await page.waitForURL(new RegExp(`/w/${workshopId}$`), { timeout: 15_000 });
    await page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 15_000 });
    const nav = page.locator('nav.views');
    await nav.locator('button', { hasText: /^List$/ }).click();
    await page.waitForURL((url) => url.searchParams.get('view') === 'list');
    const heading = page.locator('h3[id^="q-"]', { hasText: 'What can you offer today to clients / residents?' }).first();
    await heading.waitFor();

    await page.locator('.language-switch button[lang="sv"]').click();
    expect(await page.locator('.language-switch button[lang="sv"]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('h3[id^="q-"]', { hasText: 'Vad kan ni i dag erbjuda klienterna/invånarna?' }).first().waitFor();
    expect(await nav.locator('button', { hasText: /^Lista$/ }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');
    // The choice is remembered: a reload stays Swedish.
    await page.reload();
    await page.locator('h3[id^="q-"]', { hasText: 'Vad kan ni i dag erbjuda klienterna/invånarna?' }).first().waitFor({ timeout: 15_000 });
  }, 120_000);
});
