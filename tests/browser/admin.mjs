#!/usr/bin/env node
// Opens every embedded admin page in headless Chromium with Shopify's CDN unreachable (as it is
// here), so App Bridge never loads and every page runs on its fallback; then acts on the
// Segments page and reads the fallback toasts. Prints one JSON line:
//   pages:   per path, the served <head>, the page's h1 and primary action, whether App Bridge
//            (window.shopify) and admin.js (window.segops) are there, and the CDN requests made
//   actions: the toasts the Segments page showed (text, role, whether each hid or stayed), and
//            with a stand-in App Bridge, the toasts and session tokens admin.js asked it for,
//            the title bar and sidebar it was given, and where a forwarded link click went
// Usage:
//   node admin.mjs --base <app URL> --token <session token> --fresh-token <another token>
//                  --pages <path,path,…> --segment <segment id> [--screenshot-dir <dir>]
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
      'fresh-token': {type: 'string'},
      pages: {type: 'string'},
      segment: {type: 'string'},
      'screenshot-dir': {type: 'string'},
    },
  }));
} catch (error) {
  fail(error.message);
}
for (const name of ['base', 'token', 'fresh-token', 'pages', 'segment']) {
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
      tabs_visible: await page.locator('nav.tabs').isVisible(),
      nav_menu_visible: await page.locator('ui-nav-menu').isVisible(),
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
  // exposing the two calls admin.js makes, `shopify.idToken()` (answering a newer token than the
  // one the page was served with) and `shopify.toast.show()`.
  const bridged = await browser.newContext({viewport: {width: 1280, height: 900}});
  await bridged.route('https://cdn.shopify.com/shopifycloud/app-bridge.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: `window.__bridge = {toasts: [], tokens: 0};
        window.shopify = {
          idToken: async () => { window.__bridge.tokens += 1; return ${JSON.stringify(values['fresh-token'])}; },
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
  // The admin's chrome: the title bar built from the page header, the sidebar menu, and the
  // in-page tabs and header out of sight (the header only visually: it is 1px, clipped).
  actions.app_bridge.chrome = await withBridge.evaluate(() => {
    const bar = document.querySelector('ui-title-bar');
    const header = document.querySelector('.page-header').getBoundingClientRect();
    return {
      html_class: document.documentElement.className,
      title: bar && bar.getAttribute('title'),
      buttons: bar ? [...bar.querySelectorAll('button')].map((b) => ({variant: b.getAttribute('variant'), text: b.textContent})) : [],
      nav: [...document.querySelectorAll('ui-nav-menu a')].map((a) => ({href: a.getAttribute('href'), rel: a.getAttribute('rel'), text: a.textContent.trim()})),
      header_size: [header.width, header.height],
    };
  });
  actions.app_bridge.chrome.tabs_visible = await withBridge.locator('nav.tabs').isVisible();
  await shoot(withBridge, 'admin-segments-app-bridge.png');
  // App Bridge forwards a title bar click to the button; on the home page the primary action is
  // a link to Segments carrying the page's (old) token, which admin.js swaps for a fresh one.
  await withBridge.goto(url('/'), {waitUntil: 'load'});
  const navigated = withBridge.waitForURL((u) => u.pathname === '/admin/segments', {timeout: 15000});
  await withBridge.evaluate(() => document.querySelector('ui-title-bar button[variant=primary]').click());
  await navigated;
  const landed = new URL(withBridge.url());
  actions.app_bridge.forwarded = {
    path: landed.pathname,
    hash: landed.hash,
    fresh_token: landed.searchParams.get('id_token') === values['fresh-token'],
    status_h1: (await withBridge.locator('h1').first().textContent())?.trim(),
  };
  await bridged.close();

  process.stdout.write(JSON.stringify({pages, actions}) + '\n');
} catch (error) {
  fail(error.stack || String(error));
} finally {
  await browser.close();
}
