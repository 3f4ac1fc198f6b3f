// Loads Shopify's standard Web Pixel event payloads from the shared fixtures folder.
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

const EVENTS_DIR = ['shopify', 'web_pixels', 'rudderstack_test_events'];

/** Accepts the fixtures root or any folder on the way down to the events folder. */
export function findEventsDir(dir) {
  for (let depth = 0; depth <= EVENTS_DIR.length; depth++) {
    const candidate = join(dir, ...EVENTS_DIR.slice(depth));
    if (existsSync(join(candidate, 'index.json'))) return candidate;
  }
  return null;
}

/**
 * Returns the events in index order. `pixelEventLabel` is RudderStack's own key, not Shopify's,
 * so it is removed to leave the payload Shopify publishes.
 */
export function loadPixelEvents(dir) {
  const eventsDir = findEventsDir(dir);
  if (!eventsDir) throw new Error(`no Web Pixel events under ${dir} (expected ${EVENTS_DIR.join('/')}/index.json)`);
  const index = JSON.parse(readFileSync(join(eventsDir, 'index.json'), 'utf8'));
  return index.map(({file}) => {
    const event = JSON.parse(readFileSync(join(eventsDir, file), 'utf8'));
    delete event.pixelEventLabel;
    return event;
  });
}
