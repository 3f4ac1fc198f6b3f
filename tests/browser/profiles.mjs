#!/usr/bin/env node
// Walks the admin's Profiles pages in headless Chromium: the dashboard and the Segments page,
// then the profile list, a search, and the profile it finds. Prints one JSON line: each page's
// Largest Contentful Paint (ms, from the PerformanceObserver 'largest-contentful-paint'
// entries), what the search listed, what the profile page showed, and whether keyboard focus
// is visible. Usage:
//   node profiles.mjs --base <app URL> --token <session token> --search <email>
//                     [--screenshot-dir <dir>]
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {launchChromium} from './lib/chromium.mjs';

function fail(message) {
  process.stderr.write(`profiles.mjs: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({values} = parseArgs({
    options: {
      base: {type: 'string'},
      token: {type: 'string'},
      search: {type: 'string'},
      'screenshot-dir': {type: 'string'},
    },
  }));
} catch (error) {
  fail(error.message);
}
for (const name of ['base', 'token', 'search']) {
  if (!values[name]) fail(`--${name} is required`);
}

// The last LCP candidate the page reported; the observer is buffered, so entries from before
// the call count. Resolves once the page has had a moment to report any later candidate.
function largestContentfulPaint(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        let last = null;
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          last = entries[entries.length - 1].startTime;
        }).observe({type: 'largest-contentful-paint', buffered: true});
        setTimeout(() => resolve(last), 500);
      }),
  );
}

async function open(page, path) {
  const url = `${values.base}${path}${path.includes('?') ? '&' : '?'}id_token=${values.token}`;
  const response = await page.goto(url, {waitUntil: 'load'});
  if (!response || !response.ok()) fail(`${path} answered ${response && response.status()}`);
  return largestContentfulPaint(page);
}

const browser = await launchChromium();
try {
  const lcp = {};
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  // Shopify's CDN is unreachable here: App Bridge must not be what a page waits for.
  await context.route('https://cdn.shopify.com/**', (route) => route.abort());
  let page = await context.newPage();
  lcp.dashboard = await open(page, '/');
  await page.close();
  page = await context.newPage();
  lcp.segments = await open(page, '/admin/segments');
  await page.close();

  page = await context.newPage();
  lcp.profiles = await open(page, '/admin/profiles');
  const listed = await page.locator('[data-testid=profiles] tbody tr').count();
  // Keyboard focus: the first Tab lands on a link whose focus ring is drawn.
  await page.keyboard.press('Tab');
  const focus = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {tag: el.tagName, outline: style.outlineStyle, width: style.outlineWidth};
  });
  if (values['screenshot-dir']) {
    mkdirSync(values['screenshot-dir'], {recursive: true});
    await page.screenshot({path: join(values['screenshot-dir'], 'profiles-list.png')});
  }
  await page.fill('#profile-search', values.search);
  await Promise.all([page.waitForURL(/q=/), page.press('#profile-search', 'Enter')]);
  const found = await page.locator('[data-testid=profiles] tbody tr').count();
  const firstLink = page.locator('[data-testid=profiles] tbody tr a').first();
  await Promise.all([page.waitForURL(/\/admin\/profiles\/[^?]+\?/), firstLink.click()]);
  await page.waitForSelector('[data-testid=profile-title]');
  lcp.profile = await largestContentfulPaint(page);
  // A fresh load of the profile page as well: the click's navigation is measured above.
  const profileUrl = new URL(page.url());
  const reload = await context.newPage();
  lcp.profile_direct = await open(reload, profileUrl.pathname);
  await reload.close();
  const profile = {
    title: (await page.locator('[data-testid=profile-title]').textContent()).trim(),
    traits: await page.locator('[data-testid=traits] tr').count(),
    identities: await page.locator('[data-testid=identities] tbody tr').count(),
    timeline: await page.locator('[data-testid=timeline] tbody tr').count(),
    held: await page.locator('tr.held').count(),
    not_held: await page.locator('tr.not-held').count(),
  };
  if (values['screenshot-dir']) {
    mkdirSync(values['screenshot-dir'], {recursive: true});
    await page.screenshot({path: join(values['screenshot-dir'], 'profile-page.png'), fullPage: true});
  }
  process.stdout.write(JSON.stringify({lcp, listed, found, focus, profile}) + '\n');
} catch (error) {
  fail(error.stack || String(error));
} finally {
  await browser.close();
}
