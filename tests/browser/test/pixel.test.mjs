// Runs every pixel.mjs scenario in headless Chromium against the stub intake and checks what the
// stub actually received: the wire format, consent, sampling, size limits and unload delivery.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {startStubIntake} from '../stub-intake.mjs';
import {SIGNED_IN_CUSTOMER} from '../lib/visitors.mjs';

const run = promisify(execFile);
const PIXEL = fileURLToPath(new URL('../pixel.mjs', import.meta.url));
const FIXTURES = process.env.SEGOPS_FIXTURES || fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
const KEY = 'pk_test_browser_harness';
const skip = existsSync(FIXTURES) ? false : `shared fixtures not found at ${FIXTURES} (set SEGOPS_FIXTURES); pixel browser tests skipped`;
if (skip) console.log(skip);

let stub;
before(async () => {
  stub = await startStubIntake();
});
after(() => stub.close());

async function scenario(name) {
  stub.received.length = 0;
  stub.preflights.length = 0;
  const {stdout} = await run(process.execPath, [PIXEL, '--endpoint', stub.url, '--key', KEY, '--fixtures', FIXTURES, '--scenario', name], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'pixel.mjs prints exactly one JSON line');
  const result = JSON.parse(lines[0]);
  assert.equal(result.scenario, name);
  const failed = Object.entries(result.checks).filter(([, ok]) => !ok).map(([check]) => check);
  assert.deepEqual(failed, [], `page-side checks failed: ${failed.join(', ')}`);
  return result;
}

/** Polls the stub (no fixed sleeps) until `ids` have all arrived or the deadline passes. */
async function stubReceives(ids, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = new Set(receivedEvents().map((e) => e.id));
    if (ids.every((id) => got.has(id)) || Date.now() > deadline) return;
    await new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()) + 1);
      function done() {
        clearTimeout(timer);
        stub.server.off('received', done);
        resolve();
      }
      stub.server.on('received', done);
    });
  }
}

function receivedEvents() {
  return stub.received.flatMap((r) => (r.json && Array.isArray(r.json.batch) ? r.json.batch : []));
}

/** What every request must look like, whatever the scenario. */
function assertWireFormat() {
  assert.equal(stub.preflights.length, 0, 'text/plain bodies need no CORS preflight');
  for (const request of stub.received) {
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/pixel/events');
    assert.match(request.headers['content-type'] || '', /^text\/plain/);
    assert.ok(request.bytes < 65536, `body of ${request.bytes} bytes is not under 64 KiB`);
    assert.ok(request.json, 'body is JSON');
    assert.deepEqual(Object.keys(request.json), ['key', 'sent_at', 'batch']);
    assert.equal(request.json.key, KEY);
    assert.equal(new Date(request.json.sent_at).toISOString(), request.json.sent_at);
    assert.ok(request.json.batch.length > 0, 'no empty batches');
    for (const s of [SIGNED_IN_CUSTOMER.email, SIGNED_IN_CUSTOMER.id, SIGNED_IN_CUSTOMER.phone]) {
      assert.ok(!request.body.includes(s), 'the pixel never sends customer fields of its own');
    }
    for (const event of request.json.batch) {
      assert.deepEqual(Object.keys(event), ['id', 'name', 'timestamp', 'client_id', 'seq', 'context', 'data', 'consent']);
      assert.match(event.id, /^sh-/);
      assert.equal(typeof event.client_id, 'string');
      assert.equal(typeof event.seq, 'number');
      assert.deepEqual(Object.keys(event.context), ['url', 'referrer', 'title']);
      assert.match(event.context.url, /^https:\/\//);
      assert.deepEqual(Object.keys(event.consent), ['analytics', 'marketing', 'preferences', 'sale_of_data']);
      assert.equal(event.consent.analytics, true, 'only consented events are sent');
      assert.ok(Object.values(event.consent).every((v) => typeof v === 'boolean'));
    }
  }
}

function receivedIds() {
  return receivedEvents().map((e) => e.id);
}

test('with consent every subscribed fixture event reaches the intake once', {skip}, async () => {
  const result = await scenario('all-events');
  assertWireFormat();
  assert.deepEqual(receivedIds().sort(), [...result.expected_event_ids].sort());
  const names = receivedEvents().map((e) => e.name);
  assert.equal(new Set(names).size, 12);
  assert.ok(!names.includes('checkout_address_info_submitted'), 'unsubscribed events stay out');
  assert.deepEqual(receivedEvents()[0].consent, {analytics: true, marketing: false, preferences: true, sale_of_data: false});
});

test('without analytics consent nothing is sent, even after a non-analytics consent change', {skip}, async () => {
  const result = await scenario('no-consent');
  assert.equal(result.published, 26);
  assert.equal(result.attempted, 0);
  assert.equal(stub.received.length, 0);
});

test('consent granted at run time sends only the events after it', {skip}, async () => {
  const result = await scenario('consent-later');
  assertWireFormat();
  assert.equal(result.checks.nothing_sent_before_consent, true);
  assert.deepEqual(receivedIds().sort(), [...result.expected_event_ids].sort());
  assert.equal(receivedIds().length, 12);
});

test('sampling keeps checkout_completed, honours the event filter and decides per visitor', {skip}, async () => {
  const result = await scenario('sampling');
  assertWireFormat();
  const got = receivedIds();
  assert.equal(new Set(got).size, got.length, 'no duplicates');
  assert.deepEqual([...got].sort(), [...result.sent_event_ids].sort());
  for (const id of result.expected_event_ids) assert.ok(got.includes(id), `expected ${id} at the intake`);
  const byVisitor = new Map();
  for (const e of receivedEvents()) byVisitor.set(e.client_id, [...(byVisitor.get(e.client_id) || []), e.name]);
  const completedOnly = [...byVisitor.values()].filter((names) => names.length === 1 && names[0] === 'checkout_completed');
  assert.ok(completedOnly.length >= 12, 'the 12 rate-0 visitors send checkout_completed alone');
  const filtered = [...byVisitor.values()].filter((names) => names.length === 3);
  assert.deepEqual(filtered.map((n) => [...n].sort()), [['checkout_completed', 'page_viewed', 'product_added_to_cart']]);
});

test('large batches split below 64 KiB by UTF-8 size and an oversized event is dropped whole', {skip}, async () => {
  const result = await scenario('large-batches');
  assertWireFormat();
  assert.ok(stub.received.length > 1, 'several bodies');
  assert.deepEqual(receivedIds().sort(), [...result.expected_event_ids].sort());
  assert.equal(result.published, 41);
  assert.equal(receivedIds().length, 40);
});

test('events published right before the page navigates away still reach the intake', {skip}, async () => {
  const result = await scenario('unload');
  await stubReceives(result.expected_event_ids);
  assertWireFormat();
  assert.deepEqual(receivedIds().sort(), [...result.expected_event_ids].sort());
});
