// Records exceptions as OpenTelemetry JS's Span.recordException does:
// type is err.code or else err.name, message err.message, stack err.stack.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { applyDiscount } from './esm.mjs';
const require = createRequire(import.meta.url);
const { Cart, loadCart, readConfig } = require('./cart.js');

function record(err) {
  const a = {};
  if (err.code) a['exception.type'] = String(err.code);
  else if (err.name) a['exception.type'] = err.name;
  if (err.message) a['exception.message'] = err.message;
  if (err.stack) a['exception.stacktrace'] = err.stack;
  return a;
}

const cases = {
  constructor: () => new Cart([{ price: { amount: 3 } }, { cost: 4 }]),
  async: () => loadCart(7),
  enoent: () => readConfig('/tmp/exceptions/node/missing.json'),
  json: () => JSON.parse('{"a":'),
  esm: () => applyDiscount({}, 'ten%'),
  promiseall: () => Promise.all([Promise.resolve(1), loadCart(8)]),
  eval: function evaluate() { return eval('(function rule(x) { return x.limit.max; })')({}); },
  multiline: () => { throw new Error('validation failed:\n  - items: required\n  - total: must be positive'); },
};
const out = {};
for (const [name, fn] of Object.entries(cases)) {
  try {
    await fn();
  } catch (err) {
    out[name] = record(err);
  }
}
process.stdout.write(JSON.stringify(out, null, 2));
