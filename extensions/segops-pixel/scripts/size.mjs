// Prints the built bundle's raw and gzipped size; fails when gzip exceeds the 10 KB budget.
import {readFileSync} from 'node:fs';
import {gzipSync} from 'node:zlib';

const BUDGET = 10 * 1024;
const path = new URL('../dist/segops-pixel.js', import.meta.url);
let code;
try {
  code = readFileSync(path);
} catch {
  console.error('dist/segops-pixel.js is missing: run `npm run build` first');
  process.exit(1);
}
const gzipped = gzipSync(code, {level: 9}).length;
console.log(JSON.stringify({file: 'dist/segops-pixel.js', raw_bytes: code.length, gzip_bytes: gzipped, budget_gzip_bytes: BUDGET}));
if (gzipped > BUDGET) {
  console.error(`gzipped bundle is ${gzipped} bytes, over the ${BUDGET}-byte budget`);
  process.exit(1);
}
