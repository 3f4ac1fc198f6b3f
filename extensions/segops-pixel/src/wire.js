// The request body the SegOps pixel intake reads; field names here are the wire contract.

/** Request bodies stay strictly below this many bytes (the keepalive/beacon budget). */
export const MAX_BODY_BYTES = 65536;

/** Only the event's own fields: the pixel never adds customer data, the server decides identity. */
export function wireEvent(event, consent) {
  const doc = (event.context && event.context.document) || {};
  const location = doc.location || {};
  return {
    id: event.id,
    name: event.name,
    timestamp: event.timestamp,
    client_id: event.clientId,
    seq: event.seq === undefined ? null : event.seq,
    context: {
      url: location.href === undefined ? null : location.href,
      referrer: doc.referrer === undefined ? null : doc.referrer,
      title: doc.title === undefined ? null : doc.title,
    },
    data: event.data === undefined ? null : event.data,
    consent: {
      analytics: consent.analyticsProcessingAllowed === true,
      marketing: consent.marketingAllowed === true,
      preferences: consent.preferencesProcessingAllowed === true,
      sale_of_data: consent.saleOfDataAllowed === true,
    },
  };
}

/**
 * UTF-8 length of a JSON.stringify result. Well-formed stringify never emits a lone surrogate,
 * so each surrogate half counts 2 bytes (4 per pair).
 */
export function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return bytes;
}

function envelope(key, sentAt) {
  return ['{"key":' + JSON.stringify(key) + ',"sent_at":' + JSON.stringify(sentAt) + ',"batch":[', ']}'];
}

/** Bytes a body needs besides its events: the envelope with a 24-character ISO timestamp. */
export function envelopeBytes(key) {
  const [head, tail] = envelope(key, '0000-00-00T00:00:00.000Z');
  return utf8Length(head) + utf8Length(tail);
}

/**
 * Packs serialized events ({json, bytes}) into as few bodies as fit under MAX_BODY_BYTES,
 * keeping their order. Callers drop events too big to fit alone before queueing them.
 */
export function packBodies(key, sentAt, items) {
  const [head, tail] = envelope(key, sentAt);
  const overhead = utf8Length(head) + utf8Length(tail);
  const bodies = [];
  let parts = [];
  let size = overhead;
  for (const item of items) {
    const extra = item.bytes + (parts.length ? 1 : 0);
    if (parts.length && size + extra >= MAX_BODY_BYTES) {
      bodies.push(head + parts.join(',') + tail);
      parts = [];
      size = overhead;
    }
    size += item.bytes + (parts.length ? 1 : 0);
    parts.push(item.json);
  }
  if (parts.length) bodies.push(head + parts.join(',') + tail);
  return bodies;
}
