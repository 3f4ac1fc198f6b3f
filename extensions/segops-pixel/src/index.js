// SegOps Web Pixel: forwards consented storefront events to the SegOps intake in small batches.

import {register} from '@shopify/web-pixels-extension';
import {createPixel} from './pixel';
import {readSettings} from './settings';

register(({analytics, browser, init, settings, customerPrivacy}) => {
  const config = readSettings(settings);
  const pixel = createPixel({
    config,
    consent: (init && init.customerPrivacy) || {},
    browser,
    fetchFn: typeof fetch === 'function' ? fetch.bind(self) : undefined,
  });
  if (customerPrivacy && typeof customerPrivacy.subscribe === 'function') {
    customerPrivacy.subscribe('visitorConsentCollected', (event) => {
      if (event && event.customerPrivacy) pixel.setConsent(event.customerPrivacy);
    });
  }
  for (const name of config.events) analytics.subscribe(name, pixel.track);
});
