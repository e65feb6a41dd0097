// Browser tests of the web console in Debian's headless Chromium (playwright-core, no browser
// download). Run by tests/browser/console_browser_test.cc, which starts the real escalation
// service and console and passes CONSOLE_URL, CONTROL_URL (publishes figures on the broker) and
// SCREENSHOT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CONSOLE = process.env.CONSOLE_URL;
const CONTROL = process.env.CONTROL_URL;
const SHOTS = process.env.SCREENSHOT_DIR || 'screenshots';
mkdirSync(SHOTS, { recursive: true });
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const WAIT = 60000;
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function signIn(user, viewport = LAPTOP) {
  // bypassCSP: Playwright's waitForFunction evaluates script, which the console's CSP forbids.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${CONSOLE}/signin`);
  await page.fill('#user', user);
  await page.fill('#password', 'winter');
  await page.click('button[type=submit]');
  await page.waitForSelector('#who:not(:empty)', { timeout: WAIT });
  await page.waitForSelector('#live.on', { timeout: WAIT });
  return { context, page };
}

async function publish(team, percent) {
  const res = await fetch(`${CONTROL}/staffing?team=${team}&percent=${percent}`, { method: 'POST' });
  assert.equal(res.status, 200, await res.text());
}

test('a wrong password is refused', async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${CONSOLE}/signin`);
  await page.fill('#user', 'priya-nair');
  await page.fill('#password', 'summer');
  await page.click('button[type=submit]');
  await page.waitForSelector('#failed:not([hidden])');
  await context.close();
});

test('a level change arrives live on the board without a reload', async () => {
  const { context, page } = await signIn('priya-nair');
  const row = page.locator('[data-scope="area/west-kent"]');
  await row.waitFor({ timeout: WAIT });
  // Priya covers West Kent only.
  assert.equal(await page.locator('[data-scope="area/north-kent"]').count(), 0);
  await page.evaluate(() => { window.__noReload = true; });
  await publish('stp-west-kent', 45);  // Red by the plan's staffing trigger
  await page.waitForFunction(() => document.querySelector('[data-scope="area/west-kent"] .level-effective')?.textContent.includes('OPEL 3'), null, { timeout: WAIT });
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
  assert.match(await row.locator('.level-effective').innerText(), /OPEL 3 · Red/);  // colour in words too
  await page.locator('.attention .alert-row').first().waitFor({ timeout: WAIT });
  assert.match(await page.locator('.attention').innerText(), /Not acknowledged/);
  await page.screenshot({ path: `${SHOTS}/board-laptop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SHOTS}/board-phone.png`, fullPage: true });
  await context.close();
});

test('an alert is acknowledged with a note', async () => {
  const { context, page } = await signIn('priya-nair');
  await page.goto(`${CONSOLE}/#/alerts`);
  const link = page.locator('[data-alert^="indicator-level/team/stp-west-kent/"] .title a').first();
  await link.waitFor({ timeout: WAIT });
  await link.click();
  await page.waitForSelector('#ack', { timeout: WAIT });
  assert.equal(await page.locator('#note').getAttribute('required'), '', 'a note is required at OPEL 3');
  assert.match(await page.locator('.panel.mine').innerText(), /What you must do now/);
  await page.fill('#note', 'Redeploying two practitioners from North Kent until Friday');
  await page.click('#ack button[type=submit]');
  await page.waitForFunction(() => document.body.innerText.includes('Acknowledged by Priya Nair'), null, { timeout: WAIT });
  await page.waitForFunction(() => document.querySelector('[data-testid=audit]')?.innerText.includes('Redeploying two'), null, { timeout: WAIT });
  await page.screenshot({ path: `${SHOTS}/alert-laptop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SHOTS}/alert-phone.png`, fullPage: true });
  await context.close();
});

test("a user of one area cannot see another area's alerts", async () => {
  const { context, page } = await signIn('tom-ellery');  // Ashford and Canterbury, Thanet
  await page.goto(`${CONSOLE}/#/alerts?resolved=1`);
  await page.waitForSelector('[data-testid=alert-list]', { timeout: WAIT });
  const listed = await page.locator('[data-testid=alert-list]').innerText();
  assert.doesNotMatch(listed, /West Kent/);
  const api = await page.evaluate(async () => (await fetch('/api/alerts?include_resolved=true')).text());
  assert.doesNotMatch(api, /"area_id":"west-kent"/);
  const status = await page.evaluate(async () => (await fetch('/api/alert?id=' + encodeURIComponent('indicator-level/team/stp-west-kent/stp_staffing_pct/1'))).status);
  assert.equal(status, 403);
  await page.goto(`${CONSOLE}/#/alert/${encodeURIComponent('indicator-level/team/stp-west-kent/stp_staffing_pct/1')}`);
  await page.waitForFunction(() => document.body.innerText.includes('Not allowed'), null, { timeout: WAIT });
  await page.goto(`${CONSOLE}/#/board`);
  await page.waitForSelector('[data-scope="area/ashford-canterbury"]', { timeout: WAIT });
  assert.equal(await page.locator('[data-scope="area/west-kent"]').count(), 0);
  await context.close();
});

test('pages for services not yet offered say so clearly', async () => {
  const { context, page } = await signIn('helen-marsh');
  await page.goto(`${CONSOLE}/#/tasks`);
  await page.waitForFunction(() => document.querySelector('#tasks')?.innerText.trim().length > 0, null, { timeout: WAIT });
  const text = await page.locator('#tasks').innerText();
  assert.ok(/Not available yet|No open tasks|NHS 111/.test(text), text);
  await page.goto(`${CONSOLE}/#/declare`);
  await page.waitForSelector('#declare', { timeout: WAIT });
  await page.screenshot({ path: `${SHOTS}/declare-laptop.png`, fullPage: true });
  await context.close();
});
