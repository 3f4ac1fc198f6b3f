-- The id the source gave an event (the Web Pixel's event id), as Segment's messageId.
ALTER TABLE events ADD COLUMN message_id TEXT;
