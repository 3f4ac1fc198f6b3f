// Per-visitor sampling: a stable hash of the client id, so a visitor is always in or always out.

/** FNV-1a over UTF-16 code units, finished with murmur3's avalanche so nearby ids spread out. */
export function hashUnit(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export function createSampler(rate) {
  const decided = new Map();
  return (clientId) => {
    if (rate >= 1) return true;
    if (rate <= 0) return false;
    const id = String(clientId || '');
    let inSample = decided.get(id);
    if (inSample === undefined) {
      inSample = hashUnit(id) < rate;
      decided.set(id, inSample);
    }
    return inSample;
  };
}
