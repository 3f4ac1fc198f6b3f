#!/usr/bin/env node
// Opens every embedded admin page in headless Chromium with Shopify's CDN unreachable (as it is
// here), so App Bridge never loads and every page runs on its fallback; then acts on the
// Segments page and reads the fallback toasts. Prints one JSON line:
//   pages:   per path, the served <head>, the page's h1 and primary action, whether App Bridge
//            (window.shopify) and admin.js (window.segops) are there, and the CDN requests made
//   actions: the toasts the Segments page showed (text, role, whether each hid or stayed), and
//            with a stand-in App Bridge, the toasts and session tokens admin.js asked it for
// Usage:
//   node admin.mjs --base <app URL> --token <session token> --pages <path,path,…>
//                  --segment <segment id> [--screenshot-dir <dir>]
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {launchChromium} from './lib/chromium.mjs';

function fail(message) {
  process.stderr.write(`admin.mjs: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({values} = parseArgs({
    options: {
      base: {type: 'string'},
      token: {type: 'string'},
      pages: {type: 'string'},
      segment: {type: 'string'},
      'screenshot-dir': {type: 'string'},
    },
  }));
} catch (error) {
  fail(error.message);
}
for (const name of ['base', 'token', 'pages', 'segment']) {
  if (!values[name]) fail(`--${name} is required`);
}

const screenshots = values['screenshot-dir'];
if (screenshots) mkdirSync(screenshots, {recursive: true});

function url(path) {
  return `${values.base}${path}${path.includes('?') ? '&' : '?'}id_token=${values.token}`;
}

function fileName(path) {
  if (path.startsWith('/admin/profiles/')) return 'admin-profile.png';
  const name = path.replace(/^\/(admin\/)?/, '').replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '');
  return `admin-${name || 'home'}.png`;
}

async function shoot(page, name) {
  if (screenshots) await page.screenshot({path: join(screenshots, name), fullPage: true});
}

const toastText = (locator) => locator.locator('.toast-message').textContent();

const browser = await launchChromium();
try {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  const cdnRequests = [];
  // Shopify's CDN is unreachable here; aborting makes that deterministic.
  await context.route('https://cdn.shopify.com/**', (route) => {
    cdnRequests.push(route.request().url());
    return route.abort();
  });

  const pages = {};
  for (const path of values.pages.split(',')) {
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    const before = cdnRequests.length;
    const response = await page.goto(url(path), {waitUntil: 'load'});
    if (!response) fail(`${path}: no response`);
    const html = await response.text();
    const end = html.indexOf('</head>');
    pages[path] = {
      status: response.status(),
      head: end >= 0 ? html.slice(0, end + '</head>'.length) : html,
      h1: (await page.locator('h1').first().textContent())?.replace(/\s+/g, ' ').trim(),
      primary: (await page.locator('.page-header .page-actions .button-primary').allTextContents()).map((t) => t.trim()),
      app_bridge: await page.evaluate(() => typeof window.shopify),
      admin_js: await page.evaluate(() => typeof window.segops === 'object' && typeof window.segops.toast === 'function'),
      cdn_requests: cdnRequests.slice(before),
      errors: pageErrors,
    };
    await shoot(page, fileName(path));
    await page.close();
  }

  // Actions on the Segments page: an error toast, a confirmation that hides itself while the
  // error stays, closing the error, and a confirmation carried across the page's reload.
  const page = await context.newPage();
  await page.goto(url('/admin/segments'), {waitUntil: 'load'});
  const actions = {};
  const alerts = page.locator('#toasts-alert .toast');
  const statuses = page.locator('#toasts-status .toast');

  await page.fill('#segment-name', 'Broken');
  await page.fill('#segment-rule', 'lifetime_value >>> 5');
  await page.click('#segment-form button[type=submit]');
  await alerts.first().waitFor({timeout: 15000});
  actions.error = {
    text: await toastText(alerts.first()),
    region_role: await page.locator('#toasts-alert').getAttribute('role'),
    close_label: await alerts.first().locator('button').getAttribute('aria-label'),
  };

  await page.click(`[data-evaluate="${values.segment}"]`);
  await statuses.first().waitFor({timeout: 15000});
  actions.confirmation = {
    text: await toastText(statuses.first()),
    region_role: await page.locator('#toasts-status').getAttribute('role'),
    region_live: await page.locator('#toasts-status').getAttribute('aria-live'),
  };
  await shoot(page, 'admin-segments-toasts.png');
  // The confirmation hides itself (within its 5 s, polled with a deadline)…
  await statuses.first().waitFor({state: 'detached', timeout: 15000});
  actions.confirmation.hid = true;
  // …while the error is still there until the merchant closes it.
  actions.error.stayed = (await alerts.count()) === 1;
  await alerts.first().locator('button').click();
  await alerts.first().waitFor({state: 'detached', timeout: 5000});
  actions.error.closed = (await alerts.count()) === 0;

  await page.fill('#segment-name', 'Big spenders');
  await page.fill('#segment-rule', 'lifetime_value >= 100');
  const reloaded = page.waitForEvent('load', {timeout: 15000});
  await page.click('#segment-form button[type=submit]');
  await reloaded;
  await statuses.first().waitFor({timeout: 15000});
  actions.created = {
    text: await toastText(statuses.first()),
    listed: await page.locator('[data-testid=segments] tbody tr').count(),
  };
  await shoot(page, 'admin-segment-created.png');
  await page.close();

  // With App Bridge present: a stand-in for Shopify's script (the real one cannot load here)
  // exposing the two calls admin.js makes, `shopify.idToken()` and `shopify.toast.show()`.
  const bridged = await browser.newContext({viewport: {width: 1280, height: 900}});
  await bridged.route('https://cdn.shopify.com/shopifycloud/app-bridge.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: `window.__bridge = {toasts: [], tokens: 0};
        window.shopify = {
          idToken: async () => { window.__bridge.tokens += 1; return ${JSON.stringify(values.token)}; },
          toast: {show: (message, options) => window.__bridge.toasts.push({message, options: options || {}})},
        };`,
    }),
  );
  const withBridge = await bridged.newPage();
  const sent = [];
  withBridge.on('request', (request) => {
    if (request.url().includes('/evaluate')) sent.push(request.headers().authorization || null);
  });
  await withBridge.goto(url('/admin/segments'), {waitUntil: 'load'});
  await withBridge.click(`[data-evaluate="${values.segment}"]`);
  await withBridge.waitForFunction(() => window.__bridge.toasts.length > 0, null, {timeout: 15000});
  actions.app_bridge = {
    toasts: await withBridge.evaluate(() => window.__bridge.toasts),
    token_calls: await withBridge.evaluate(() => window.__bridge.tokens),
    authorization: sent,
    in_page_toasts: await withBridge.locator('.toast').count(),
  };
  await bridged.close();

  process.stdout.write(JSON.stringify({pages, actions}) + '\n');
} catch (error) {
  fail(error.stack || String(error));
} finally {
  await browser.close();
}
