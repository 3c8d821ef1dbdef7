'use strict';

// Drives @sentry/node against the capture server started by the Go tests.
//
//   SENTRY_DSN=http://<key>@127.0.0.1:<port>/42 node capture.js <scenario>
//
// Each scenario produces one kind of traffic and then flushes, so the Go side
// can attribute every request it records to the scenario that caused it.

const Sentry = require('@sentry/node');

const scenario = process.argv[2];
const dsn = process.env.SENTRY_DSN;
if (!scenario || !dsn) {
  console.error('usage: SENTRY_DSN=... node capture.js <scenario>');
  process.exit(2);
}

// Options shared by every scenario. Scenarios may override some of them.
//
// The default integrations stay on (their contexts and module lists are part
// of what a real Node app sends), except ProcessSession: it starts a session
// at init and sends it again on exit, which would add the same two session
// envelopes to every capture. The session scenario keeps it.
function init(extra = {}, { processSession = false } = {}) {
  Sentry.init({
    dsn,
    release: 'sdkcapture@1.0.0',
    environment: 'capture',
    serverName: 'sdkcapture-host',
    tracesSampleRate: 1.0,
    integrations: defaults => defaults.filter(i => processSession || i.name !== 'ProcessSession'),
    ...extra,
  });
}

// A small error chain. The causes are thrown for real so each carries its
// own stack trace, which is what the SDK's linked-errors integration walks.
function failingQuery() {
  throw new TypeError('connection refused: 127.0.0.1:5432');
}
function loadUser() {
  try {
    failingQuery();
  } catch (err) {
    throw new Error('load user 7', { cause: err });
  }
}
function handleRequest() {
  try {
    loadUser();
  } catch (err) {
    throw new Error('GET /users/7 failed', { cause: err });
  }
}

const scenarios = {
  // An exception whose `cause` chain becomes a list of linked exceptions.
  error() {
    init();
    try {
      handleRequest();
    } catch (err) {
      Sentry.captureException(err, { tags: { scenario: 'error' } });
    }
  },

  message() {
    init();
    Sentry.captureMessage('cache warmed in 42ms', 'info');
  },

  // Release health: a session started explicitly, then ended and sent.
  session() {
    init({}, { processSession: true });
    Sentry.startSession();
    Sentry.captureSession(true);
  },

  // SDK 11 streams spans by default (traceLifecycle "stream"): finished
  // spans go out as span v2 containers instead of a transaction event.
  spans() {
    init();
    Sentry.startSpan({ name: 'GET /orders', op: 'http.server' }, () => {
      Sentry.startSpan({ name: 'SELECT orders', op: 'db.query' }, () => {});
      Sentry.startSpan({ name: 'render', op: 'template' }, () => {});
    });
  },

  // The classic transaction event, still available with traceLifecycle
  // "static".
  transaction() {
    init({ traceLifecycle: 'static' });
    Sentry.startSpan({ name: 'GET /orders', op: 'http.server' }, () => {
      Sentry.startSpan({ name: 'SELECT orders', op: 'db.query' }, () => {});
      Sentry.startSpan({ name: 'render', op: 'template' }, () => {});
    });
  },

  logs() {
    init({ enableLogs: true });
    Sentry.logger.info('user logged in', { userId: 7, admin: false });
    Sentry.logger.warn(Sentry.logger.fmt`slow query took ${1234} ms`);
    Sentry.logger.error('payment failed', { amount: 9.99, currency: 'EUR' });
  },

  metrics() {
    init();
    Sentry.metrics.count('orders.created', 1, { attributes: { region: 'eu' } });
    Sentry.metrics.gauge('queue.depth', 17);
    Sentry.metrics.distribution('response.time', 23.5, { unit: 'millisecond' });
  },

  checkin() {
    init();
    const id = Sentry.captureCheckIn(
      { monitorSlug: 'nightly-report', status: 'in_progress' },
      {
        schedule: { type: 'crontab', value: '0 3 * * *' },
        checkinMargin: 5,
        maxRuntime: 30,
        timezone: 'Europe/Vienna',
        failureIssueThreshold: 2,
        recoveryThreshold: 1,
      },
    );
    Sentry.captureCheckIn({ checkInId: id, monitorSlug: 'nightly-report', status: 'ok', duration: 1.5 });
  },

  feedback() {
    init();
    const eventId = Sentry.captureMessage('checkout button does nothing');
    Sentry.captureFeedback({
      message: 'I clicked checkout and nothing happened.',
      name: 'Jane Doe',
      email: 'jane@example.invalid',
      url: 'https://shop.example.invalid/cart',
      associatedEventId: eventId,
    });
  },

  // A small text attachment on an error event.
  attachment() {
    init();
    Sentry.getCurrentScope().addAttachment({
      filename: 'config.json',
      data: '{"feature_flags":{"new_checkout":true}}\n',
      contentType: 'application/json',
    });
    Sentry.captureException(new Error('config rejected'));
  },

  // An envelope over 32 KiB: the Node transport gzips such bodies, which is
  // the only way to see its Content-Encoding handling.
  'attachment-gzip'() {
    init();
    const lines = [];
    for (let i = 0; lines.join('\n').length < 40 * 1024; i++) {
      lines.push(`2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z worker=${i % 7} processed job ${i}`);
    }
    Sentry.getCurrentScope().addAttachment({ filename: 'worker.log', data: lines.join('\n'), contentType: 'text/plain' });
    Sentry.captureMessage('worker stalled', 'warning');
  },
};

async function main() {
  const run = scenarios[scenario];
  if (!run) {
    console.error(`unknown scenario ${JSON.stringify(scenario)}; known: ${Object.keys(scenarios).join(', ')}`);
    process.exit(2);
  }
  run();
  const ok = await Sentry.flush(5000);
  if (!ok) {
    console.error('flush timed out');
    process.exit(1);
  }
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
