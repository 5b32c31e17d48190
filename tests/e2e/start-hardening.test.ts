import { describe, expect, it } from 'vitest';
import { startBrowserSuite, type Person } from './harness';

/**
 * Issue 8 in the browser: a server with CREATE_KEY makes the start page ask for the key (in
 * words, with a field that appears only then), a quota refusal is explained in words, and the
 * app runs under its Content-Security-Policy without a single violation — the board with its
 * canvas and QR code, and the memo preview whose srcdoc iframe needs inline styles.
 */
const KEY = 'a-key-for-the-browser-test';
// The people live for the file: the quota test counts the first test's attempts.
const suite = startBrowserSuite({ env: { CREATE_KEY: KEY, CREATE_PER_MINUTE: '3' }, people: 'file' });

/** A person whose console is watched for CSP violations. */
async function person(): Promise<Person & { violations: string[] }> {
  const p = await suite.person();
  const violations: string[] = [];
  p.page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|apply|execute|connect|frame)/i.test(message.text())) violations.push(message.text());
  });
  return { ...p, violations };
}

async function fillForm(page: Person['page'], title: string): Promise<void> {
  await page.goto(suite.server.url);
  await page.locator('#title').fill(title);
  await page.locator('label:has(input[name="language"][value="en"])').click();
  await page.locator('#actor-add').click();
  await page.locator('input[id^="actor-name-"]').last().fill('Municipality');
}

describe('the start page on a server that needs a key', () => {
  it('asks for the key when the server says so, explains a wrong key, and creates with the right one — no CSP violation anywhere', async () => {
    const facilitator = await person();
    const { page } = facilitator;
    await fillForm(page, 'Keyed workshop');
    expect(await page.locator('#create-key').count()).toBe(0);
    await page.locator('form button[type="submit"]').click();

    const summary = page.locator('#error-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('This server needs a key to create workshops');
    const field = page.locator('#create-key');
    await field.waitFor();
    expect(await field.getAttribute('type')).toBe('password');
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    await field.fill('not-the-key');
    await page.locator('form button[type="submit"]').click();
    await page.locator('#create-key-error').filter({ hasText: 'The key is not valid' }).waitFor();

    await field.fill(KEY);
    await page.locator('form button[type="submit"]').click();
    await page.waitForURL(/\/w\/[0-9A-Za-z]{16}$/, { timeout: 10_000 });
    // The board with its invite dialog and QR code (a data: image) loads under the policy.
    await page.locator('dialog.share[open] img').first().waitFor({ timeout: 10_000 });
    const workshopId = new URL(page.url()).pathname.split('/')[2]!;

    // The memo preview (an iframe with srcdoc, its own <style> and style attributes).
    await page.goto(`${suite.server.url}/w/${workshopId}?view=memo`);
    const preview = page.frameLocator('iframe[data-testid="memo-preview"]');
    await preview.locator('h1').first().waitFor({ timeout: 10_000 });
    const heading = await preview.locator('h1').first().evaluate((h) => getComputedStyle(h).fontFamily);
    expect(heading).not.toBe('');

    expect(facilitator.violations).toEqual([]);
    expect(facilitator.errors).toEqual([]);
  });

  it('a quota refusal is told in words with the wait', async () => {
    const { page, violations } = await person();
    // The first test used 3 attempts of this address's 3 per minute.
    await fillForm(page, 'One too many');
    await page.locator('form button[type="submit"]').click();
    const summary = page.locator('#error-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/Too many workshops were created from this address just now\. Try again in \d+ seconds\./);
    expect(violations).toEqual([]);
  });
});
