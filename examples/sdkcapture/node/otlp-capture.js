'use strict';

// Drives the OpenTelemetry JS SDK's OTLP/HTTP exporters (JSON encoding)
// against the capture server started by the Go tests.
//
//   node otlp-capture.js <scenario> <base URL>
//
// The exporters post to <base URL>/v1/traces and <base URL>/v1/logs. When
// the scenario is done the script prints one JSON line with the ids the SDK
// gave each span, keyed by the span's role, so that the Go side can check
// the library against what the SDK itself reported rather than against
// what it decoded from the wire.

const api = require('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { LoggerProvider, SimpleLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources');

const [scenario, base] = process.argv.slice(2);
if (!scenario || !base) {
  console.error('usage: node otlp-capture.js <traces|logs> <base URL>');
  process.exit(2);
}

// The same resource as the Go exporter test, so both captures describe one
// service, on top of the SDK's default resource (telemetry.sdk.language
// "nodejs" and the other telemetry.sdk.* attributes), as NodeSDK would set
// it up. A provider given a resource uses it as it is, so the default must
// be merged in by hand; environment detectors are left out so that
// OTEL_RESOURCE_ATTRIBUTES cannot change the capture.
const resource = defaultResource().merge(resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '1.4.2',
  'deployment.environment.name': 'capture',
}));

// Explicit parent contexts instead of a context manager: the script must not
// depend on async-hooks plumbing to build the tree it claims to build.
function childOf(span) {
  return api.trace.setSpan(api.ROOT_CONTEXT, span);
}

// Export failures only reach the SDK's diagnostics logger, which is silent
// by default. checked records them so that the script, and so the Go test,
// fails when the server rejects a request.
const failures = [];
function checked(exporter) {
  const send = exporter.export.bind(exporter);
  exporter.export = (items, done) =>
    send(items, result => {
      if (result.code !== 0) {
        failures.push(result.error || new Error('export failed with code ' + result.code));
      }
      done(result);
    });
  return exporter;
}

function ids(span) {
  const sc = span.spanContext();
  return { traceId: sc.traceId, spanId: sc.spanId };
}

class PaymentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentError';
  }
}

// One request of an order service: a server span, an internal step that
// calls an inventory service (which answers 503) and queries Postgres, and
// a payment step that fails with an exception.
function recordOrderTrace(tracer) {
  const server = tracer.startSpan('GET /orders/{id}', {
    kind: api.SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/orders/{id}',
      'url.path': '/orders/42',
      'url.scheme': 'http',
    },
  });

  const load = tracer.startSpan('load order', { kind: api.SpanKind.INTERNAL }, childOf(server));

  const inventory = tracer.startSpan('GET', {
    kind: api.SpanKind.CLIENT,
    attributes: {
      'http.request.method': 'GET',
      'url.full': 'https://inventory.example.com/stock/42?fields=all',
      'server.address': 'inventory.example.com',
    },
  }, childOf(load));
  inventory.setAttribute('http.response.status_code', 503);
  inventory.setStatus({ code: api.SpanStatusCode.ERROR });
  inventory.end();

  const db = tracer.startSpan('SELECT orders', {
    kind: api.SpanKind.CLIENT,
    attributes: {
      'db.system.name': 'postgresql',
      'db.query.text': 'SELECT id, total FROM orders WHERE id = $1',
      'db.collection.name': 'orders',
    },
  }, childOf(load));
  db.end();
  load.end();

  const charge = tracer.startSpan('charge card', { kind: api.SpanKind.INTERNAL }, childOf(server));
  try {
    throw new PaymentError('card declined');
  } catch (err) {
    charge.recordException(err);
    charge.setStatus({ code: api.SpanStatusCode.ERROR, message: 'boom' });
  }
  charge.end();

  server.setAttribute('http.response.status_code', 200);
  server.end();

  return {
    server: ids(server),
    internal: ids(load),
    client: ids(inventory),
    db: ids(db),
    error: ids(charge),
  };
}

const scenarios = {
  async traces() {
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(checked(new OTLPTraceExporter({ url: base + '/v1/traces' })))],
    });
    const got = recordOrderTrace(provider.getTracer('sdkcapture', '1.0.0'));
    await provider.forceFlush();
    await provider.shutdown();
    return got;
  },

  // Two log records, one of them inside a span so that it carries the
  // span's trace and span id.
  async logs() {
    const loggers = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter: checked(new OTLPLogExporter({ url: base + '/v1/logs' })) })],
    });
    const logger = loggers.getLogger('sdkcapture', '1.0.0');
    const tracer = new BasicTracerProvider({ resource }).getTracer('sdkcapture', '1.0.0');
    const span = tracer.startSpan('GET /orders/{id}', { kind: api.SpanKind.SERVER });

    logger.emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'inventory answered 503, retrying',
      attributes: { 'order.id': 42, 'retry': true },
      context: childOf(span),
    });
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'cache warmed',
      attributes: { 'cache.entries': 1200 },
    });
    span.end();
    await loggers.forceFlush();
    await loggers.shutdown();
    return { log: ids(span) };
  },
};

const run = scenarios[scenario];
if (!run) {
  console.error('unknown scenario ' + scenario);
  process.exit(2);
}
run().then(
  got => {
    if (failures.length > 0) {
      failures.forEach(err => console.error(err));
      process.exit(1);
    }
    console.log(JSON.stringify(got));
  },
  err => {
    console.error(err);
    process.exit(1);
  },
);
