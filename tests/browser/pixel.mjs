#!/usr/bin/env node
// Runs one Web Pixel scenario in headless Chromium against an intake endpoint and prints one JSON
// line of what the page observed. Usage:
//   node pixel.mjs --endpoint <url> --key <public key> --fixtures <dir> --scenario <name> [--screenshot-dir <dir>]
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {runScenario} from './lib/run.mjs';
import {SCENARIOS} from './lib/scenarios.mjs';

const BUNDLE = fileURLToPath(new URL('../../extensions/segops-pixel/dist/segops-pixel.js', import.meta.url));

function fail(message) {
  process.stderr.write(`pixel.mjs: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({values} = parseArgs({
    options: {
      endpoint: {type: 'string'},
      key: {type: 'string'},
      fixtures: {type: 'string'},
      scenario: {type: 'string'},
      'screenshot-dir': {type: 'string'},
    },
  }));
} catch (error) {
  fail(error.message);
}
for (const name of ['endpoint', 'key', 'fixtures', 'scenario']) {
  if (!values[name]) fail(`--${name} is required`);
}
if (!SCENARIOS[values.scenario]) fail(`unknown scenario ${values.scenario}; known: ${Object.keys(SCENARIOS).join(', ')}`);
if (!existsSync(BUNDLE)) fail(`${BUNDLE} is missing: run \`npm run build\` in extensions/segops-pixel`);

try {
  const result = await runScenario({
    endpoint: values.endpoint,
    key: values.key,
    fixturesDir: values.fixtures,
    scenario: values.scenario,
    screenshotDir: values['screenshot-dir'],
    bundlePath: BUNDLE,
  });
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (error) {
  fail(error.stack || String(error));
}
