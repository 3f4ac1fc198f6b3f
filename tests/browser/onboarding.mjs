#!/usr/bin/env node
// The merchant's first minutes in headless Chromium, through the store admin that frames the
// app (as `segops demo` serves it): the history import's progress bar reaches 100%, the
// suggested first segment is accepted with one click, and its segment page shows the members
// and the tag push state. Prints one JSON line of what the pages showed. Usage:
//   node onboarding.mjs --url <store admin URL of the app> [--screenshot-dir <dir>]
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {launchChromium} from './lib/chromium.mjs';

function fail(message) {
  process.stderr.write(`onboarding.mjs: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({values} = parseArgs({options: {url: {type: 'string'}, 'screenshot-dir': {type: 'string'}}}));
} catch (error) {
  fail(error.message);
}
if (!values.url) fail('--url is required');
const shots = values['screenshot-dir'];
if (shots) mkdirSync(shots, {recursive: true});

const browser = await launchChromium();
try {
  const page = await browser.newPage({viewport: {width: 1280, height: 1000}});
  const opened = await page.goto(values.url);
  if (!opened || !opened.ok()) fail(`the store admin answered ${opened && opened.status()}`);
  const frameElement = await page.waitForSelector('#app-iframe');
  const app = await frameElement.contentFrame();
  if (!app) fail('the store admin has no app frame');
  const shot = async (name) => {
    if (shots) await page.screenshot({path: join(shots, `${name}.png`), fullPage: true});
  };

  // The dashboard polls the import on its own; wait for it to say 100% without a reload.
  await app.waitForSelector('[data-testid="backfill-progress"]', {timeout: 30000});
  await shot('1-dashboard');
  await app.waitForFunction(
    () => document.querySelector('[data-testid="backfill-percent"]')?.textContent.trim() === '100%',
    null,
    {timeout: 90000},
  );
  const progress = await app.getAttribute('[data-testid="backfill-progress"]', 'aria-valuenow');
  await app.waitForSelector('[data-testid="suggestion-accept"]', {timeout: 30000});
  const suggestion = {
    name: (await app.textContent('[data-testid="suggestion-name"]')).trim(),
    members: Number((await app.textContent('[data-testid="suggestion-members"]')).trim()),
    rule: (await app.textContent('[data-testid="suggestion-rule"]')).trim(),
  };
  await shot('2-import-done');
  await app.click('[data-testid="suggestion-accept"]');
  const link = await app.waitForSelector('[data-testid="suggestion-link"]', {timeout: 15000});
  await shot('3-accepted');
  const href = await link.getAttribute('href');
  const segmentId = decodeURIComponent(href.split('#segment-')[1] || '');

  // The segment page is rendered by the server: load it again until the push has finished.
  // Without its `#segment-…` fragment: going to the same URL with a fragment only scrolls the
  // page already shown, so it would never show a newer state.
  const segmentsUrl = new URL(href, app.url());
  segmentsUrl.hash = '';
  let row = null;
  // A dozen tag calls take well under a second on the sandbox; the time is reported.
  const pushStarted = Date.now();
  const deadline = pushStarted + 60000;
  while (Date.now() < deadline) {
    await app.goto(segmentsUrl.toString());
    row = await app.evaluate((id) => {
      const tr = document.getElementById(`segment-${id}`);
      if (!tr) return null;
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent.replace(/\s+/g, ' ').trim());
      const mode = tr.querySelector('select[data-mode]');
      return {cells, mode: mode ? mode.value : null, state: tr.querySelector('.badge')?.textContent.trim()};
    }, segmentId);
    if (row && row.state === 'done') break;
    await app.waitForTimeout(500);
  }
  await shot('4-segment-pushed');
  const pushMs = Date.now() - pushStarted;
  process.stdout.write(`${JSON.stringify({progress: Number(progress), suggestion, segmentId, row, pushMs})}\n`);
} finally {
  await browser.close();
}
