// Host page side of the sandbox: starts one pixel worker per visitor, answers its browser-API
// calls with the page's real APIs, publishes events to it and shows what happened.
'use strict';

const sandboxes = new Map(); // sandbox id -> {worker, settle waiters}
let settleToken = 0;

/** Streams request attempts to the test runner as they happen (see lib/observe.mjs). */
function report(attempt) {
  if (typeof window.segopsReportAttempt === 'function') window.segopsReportAttempt(attempt);
}

function fault(message) {
  show(message);
  report({kind: 'error', message});
}

function show(line) {
  const li = document.createElement('li');
  li.textContent = line;
  document.getElementById('log').append(li);
}

const storageArea = (area) => ({
  clear: () => window[area].clear(),
  getItem: (key) => window[area].getItem(key),
  key: (index) => window[area].key(index),
  length: () => window[area].length,
  removeItem: (key) => window[area].removeItem(key),
  setItem: (key, value) => window[area].setItem(key, value),
});

function hostMethods(sandboxId) {
  const methods = {
    sendBeacon(url, body) {
      const queued = navigator.sendBeacon(url, body);
      report({kind: 'beacon', url, body, queued});
      show(`${sandboxId}: sendBeacon ${new Blob([body]).size} bytes -> ${queued ? 'queued' : 'refused'}`);
      return queued;
    },
    'cookie.get': (name) => {
      if (!name) return document.cookie;
      const hit = document.cookie.split('; ').find((pair) => pair.split('=')[0] === name);
      return hit ? decodeURIComponent(hit.slice(name.length + 1)) : '';
    },
    'cookie.set': (cookieOrName, value) => {
      document.cookie = value === undefined ? cookieOrName : `${cookieOrName}=${encodeURIComponent(value)}`;
      return document.cookie;
    },
  };
  for (const area of ['localStorage', 'sessionStorage']) {
    for (const [name, fn] of Object.entries(storageArea(area))) methods[`${area}.${name}`] = fn;
  }
  return methods;
}

function start({id, settings, init}) {
  return new Promise((resolve, reject) => {
    const worker = new Worker('/sandbox-worker.js');
    const methods = hostMethods(id);
    const sandbox = {worker, waiters: new Map()};
    sandboxes.set(id, sandbox);
    worker.onerror = (event) => {
      fault(`${id}: ${event.message}`);
      reject(new Error(event.message));
    };
    worker.onmessage = ({data}) => {
      if (data.type === 'ready') {
        show(`${id}: pixel registered, subscribed to ${data.subscribed.length} events`);
        resolve(data.subscribed);
      } else if (data.type === 'boot-failed') {
        fault(`${id}: ${data.message}`);
        reject(new Error(data.message));
      } else if (data.type === 'pixel-error') {
        fault(`${id}: ${data.message}`);
      } else if (data.type === 'fetch-attempt' || data.type === 'fetch-outcome') {
        if (data.type === 'fetch-attempt') show(`${id}: fetch ${data.bytes} bytes keepalive=${data.keepalive}`);
        report({...data, kind: data.type === 'fetch-attempt' ? (data.keepalive ? 'fetch-keepalive' : 'fetch') : data.type});
      } else if (data.type === 'settled') {
        sandbox.waiters.get(data.token)();
        sandbox.waiters.delete(data.token);
      } else if (data.type === 'call') {
        let reply;
        try {
          if (!(data.method in methods)) throw new Error(`no such browser API: ${data.method}`);
          reply = {type: 'result', callId: data.callId, value: methods[data.method](...data.args)};
        } catch (error) {
          reply = {type: 'result', callId: data.callId, error: String(error.message || error)};
        }
        worker.postMessage(reply);
      }
    };
    const pixelInfo = {id: `harness-${id}`, type: 'APP', runtimeContext: 'STRICT'};
    worker.postMessage({type: 'boot', bundleUrl: new URL('/pixel.js', location.href).href, settings, init, pixelInfo});
  });
}

function sandbox(id) {
  const found = sandboxes.get(id);
  if (!found) throw new Error(`no sandbox ${id}`);
  return found;
}

function publish(id, events) {
  for (const event of events) {
    sandbox(id).worker.postMessage({type: 'publish', event});
  }
  show(`${id}: published ${events.length} events`);
}

function consent(id, customerPrivacy) {
  sandbox(id).worker.postMessage({type: 'consent', payload: {customerPrivacy}});
  show(`${id}: visitorConsentCollected analytics=${customerPrivacy.analyticsProcessingAllowed}`);
}

/** Waits until every sandbox's pixel has had time to flush and its beacon calls are answered. */
function settle(quietMs = 50) {
  return Promise.all(
    [...sandboxes.values()].map(
      ({worker, waiters}) =>
        new Promise((resolve) => {
          const token = ++settleToken;
          waiters.set(token, resolve);
          worker.postMessage({type: 'settle', token, quietMs});
        }),
    ),
  );
}

window.harness = {start, publish, consent, settle};
