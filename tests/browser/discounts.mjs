#!/usr/bin/env node
// Creates a discount rule through the admin's Discounts page in headless Chromium and prints one
// JSON line: the save's HTTP status and answer, and what the page showed. Usage:
//   node discounts.mjs --url <admin discounts URL with id_token> --segment <id> --value <n>
//                      [--message <text>] [--screenshot-dir <dir>]
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {launchChromium} from './lib/chromium.mjs';

function fail(message) {
  process.stderr.write(`discounts.mjs: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({values} = parseArgs({
    options: {
      url: {type: 'string'},
      segment: {type: 'string'},
      value: {type: 'string'},
      message: {type: 'string'},
      'screenshot-dir': {type: 'string'},
    },
  }));
} catch (error) {
  fail(error.message);
}
for (const name of ['url', 'segment', 'value']) {
  if (!values[name]) fail(`--${name} is required`);
}

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const opened = await page.goto(values.url);
  if (!opened || !opened.ok()) fail(`the Discounts page answered ${opened && opened.status()}`);
  await page.selectOption('#segment', values.segment);
  const warning = await page.locator('#segment-warning').isVisible();
  await page.selectOption('#kind', 'percentage');
  await page.fill('#value', values.value);
  await page.selectOption('#scope', 'order');
  if (values.message) await page.fill('#message', values.message);
  // The page reloads after a pushed save, so the answer is read on its way to the page.
  const answered = new Promise((resolve) => {
    page.route('**/admin/api/discounts', async (route) => {
      const response = await route.fetch();
      resolve({status: response.status(), body: await response.json()});
      await route.fulfill({response});
    });
  });
  const timeout = new Promise((_, reject) => {
    setTimeout(() => reject(new Error('the form sent no save request within 15 s')), 15000).unref();
  });
  await page.click('#save-rule');
  const {status, body} = await Promise.race([answered, timeout]);
  if (status === 200 && body.pushed) await page.waitForSelector(`[data-rule-id="${body.rule.id}"]`);
  const listed = await page.locator('[data-testid=rules] tbody tr').count();
  if (values['screenshot-dir']) {
    mkdirSync(values['screenshot-dir'], {recursive: true});
    await page.screenshot({path: join(values['screenshot-dir'], 'discounts-page.png'), fullPage: true});
  }
  process.stdout.write(JSON.stringify({status, body, warning, listed}) + '\n');
} catch (error) {
  fail(error.stack || String(error));
} finally {
  await browser.close();
}
