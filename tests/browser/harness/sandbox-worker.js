// A Web Worker standing in for Shopify's strict pixel sandbox: no DOM, a `shopify.extend` global
// that `register` calls, and the pixel API whose browser methods are async calls to the host page.
'use strict';

const EXTENSION_POINT = 'WebPixel::Render';
const subscribers = new Map(); // event name -> callbacks
const privacySubscribers = new Map(); // consent event name -> callbacks
const pendingCalls = new Map(); // call id -> {resolve, reject}
let nextCallId = 1;
let extension = null;

/** Browser APIs live on the top page; in the sandbox every one of them answers with a Promise. */
function callHost(method, args) {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    pendingCalls.set(callId, {resolve, reject});
    self.postMessage({type: 'call', callId, method, args});
  });
}

const storage = (area) => ({
  clear: () => callHost(area + '.clear', []),
  getItem: (key) => callHost(area + '.getItem', [key]),
  key: (index) => callHost(area + '.key', [index]),
  length: () => callHost(area + '.length', []),
  removeItem: (key) => callHost(area + '.removeItem', [key]),
  setItem: (key, value) => callHost(area + '.setItem', [key, value]),
});

const browser = Object.freeze({
  cookie: Object.freeze({
    get: (name) => callHost('cookie.get', [name]),
    set: (cookieOrName, value) => callHost('cookie.set', [cookieOrName, value]),
  }),
  localStorage: Object.freeze(storage('localStorage')),
  sessionStorage: Object.freeze(storage('sessionStorage')),
  sendBeacon: (url, body) => callHost('sendBeacon', [url, body]),
});

function addTo(map, name, callback) {
  if (typeof callback !== 'function') throw new TypeError('subscribe needs a callback');
  if (!map.has(name)) map.set(name, new Set());
  map.get(name).add(callback);
  return () => map.get(name).delete(callback);
}

const STANDARD_GROUPS = ['all_events', 'all_standard_events'];

function dispatch(event) {
  const names = [event.name];
  if (event.type === 'standard' || event.type === undefined) names.push(...STANDARD_GROUPS);
  else if (event.type === 'custom') names.push('all_events', 'all_custom_events');
  for (const name of names) {
    for (const callback of subscribers.get(name) || []) {
      // Each subscriber gets its own copy, as the pixel manager serialises events per pixel.
      try {
        callback(structuredClone(event));
      } catch (error) {
        self.postMessage({type: 'pixel-error', message: String(error && error.stack || error)});
      }
    }
  }
}

function consentCollected(payload) {
  for (const callback of privacySubscribers.get('visitorConsentCollected') || []) {
    try {
      callback(structuredClone(payload));
    } catch (error) {
      self.postMessage({type: 'pixel-error', message: String(error && error.stack || error)});
    }
  }
}

/**
 * Observation only: reports each fetch the pixel makes and how it ended, then behaves exactly as
 * the worker's own fetch.
 */
const workerFetch = self.fetch.bind(self);
let fetchCount = 0;
let openFetches = 0;
self.fetch = function fetch(input, init = {}) {
  const n = ++fetchCount;
  const body = typeof init.body === 'string' ? init.body : '';
  const url = String(input instanceof Request ? input.url : input);
  const bytes = new TextEncoder().encode(body).length;
  self.postMessage({type: 'fetch-attempt', n, url, body, bytes, keepalive: init.keepalive === true});
  const pending = workerFetch(input, init);
  openFetches++;
  pending.then(
    (response) => {
      openFetches--;
      const status = response.type === 'opaque' ? null : response.status;
      self.postMessage({type: 'fetch-outcome', n, ok: true, status, error: null});
    },
    (error) => {
      openFetches--;
      self.postMessage({type: 'fetch-outcome', n, ok: false, status: null, error: String(error)});
    },
  );
  return pending;
};

self.shopify = Object.freeze({
  extend(point, callback) {
    if (point !== EXTENSION_POINT) throw new Error('unknown extension point ' + point);
    extension = callback;
  },
});

function boot({bundleUrl, settings, init, pixelInfo}) {
  importScripts(bundleUrl);
  if (typeof extension !== 'function') throw new Error('the bundle did not call register()');
  extension(
    Object.freeze({
      settings: Object.freeze({...settings}),
      init,
      browser,
      analytics: Object.freeze({subscribe: (name, callback) => addTo(subscribers, name, callback)}),
      customerPrivacy: Object.freeze({
        subscribe: (name, callback) => addTo(privacySubscribers, name, callback),
      }),
      _pixelInfo: pixelInfo,
    }),
  );
  return {subscribed: [...subscribers.keys()].filter((name) => subscribers.get(name).size > 0)};
}

/** Resolves once the pixel's short flush timers have run and its host calls and fetches ended. */
function settle(quietMs) {
  return new Promise((resolve) => {
    const check = () => (pendingCalls.size === 0 && openFetches === 0 ? resolve() : setTimeout(check, 5));
    setTimeout(check, quietMs);
  });
}

self.onmessage = async ({data}) => {
  switch (data.type) {
    case 'boot':
      try {
        self.postMessage({type: 'ready', ...boot(data)});
      } catch (error) {
        self.postMessage({type: 'boot-failed', message: String(error && error.stack || error)});
      }
      break;
    case 'publish':
      dispatch(data.event);
      break;
    case 'consent':
      consentCollected(data.payload);
      break;
    case 'settle':
      await settle(data.quietMs);
      self.postMessage({type: 'settled', token: data.token});
      break;
    case 'result': {
      const call = pendingCalls.get(data.callId);
      pendingCalls.delete(data.callId);
      if (call && data.error) call.reject(new Error(data.error));
      else if (call) call.resolve(data.value);
      break;
    }
  }
};
