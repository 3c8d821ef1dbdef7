'use strict';

// Drives @sentry/node against examples/ingest for the semantic interop suite
// (node_issues_test.go). Unlike capture.js, which records raw traffic, each
// scenario here produces data whose meaning the Go test checks: how errors
// group into issues, and what every session, span, check-in, log, feedback
// and attachment says once the ingest accepted it.
//
//   SENTRY_DSN=http://<key>@127.0.0.1:<port>/42 node issues.js <scenario>
//
// Every value the test asserts is fixed here, so keep the two in step.

const Sentry = require('@sentry/node');

const scenario = process.argv[2];
const dsn = process.env.SENTRY_DSN;
if (!scenario || !dsn) {
  console.error('usage: SENTRY_DSN=... node issues.js <scenario>');
  process.exit(2);
}

// ProcessSession is left out everywhere: it would add a session of its own
// to every run, and the session scenario drives one explicitly instead.
function init(extra = {}) {
  Sentry.init({
    dsn,
    release: 'issues@2.0.0',
    environment: 'interop',
    serverName: 'issues-host',
    tracesSampleRate: 1.0,
    integrations: defaults => defaults.filter(i => i.name !== 'ProcessSession'),
    ...extra,
  });
}

// sleep blocks for ms milliseconds, so that durations have a known floor.
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// chargeCard throws an error with a cause, the chain the LinkedErrors
// integration turns into linked exceptions.
function chargeCard() {
  throw new Error('charge failed', { cause: new TypeError('card declined') });
}

function parsePort() {
  throw new RangeError('port out of range: 99999');
}

function reportCheckoutBug() {
  return Sentry.captureMessage('checkout button does nothing', 'warning');
}

function capture(fn, tags) {
  try {
    fn();
  } catch (err) {
    return Sentry.captureException(err, { tags });
  }
  throw new Error(`${fn.name} did not throw`);
}

const scenarios = {
  // The same error from the same place three times and a different one in
  // between. The Dedupe integration drops an event identical to the one just
  // before it, so the second chargeCard never leaves the SDK (a client
  // report says so) while the third, which follows parsePort, does: the
  // chargeCard issue gets two events, parsePort's its own issue.
  errors() {
    init();
    const fns = [chargeCard, chargeCard, parsePort, chargeCard];
    for (let i = 0; i < fns.length; i++) {
      capture(fns[i], { round: String(i) });
    }
  },

  // Release health: a session that sees one handled error, then ends. The
  // client counts the error only once the event is processed, which is
  // asynchronous: ended at once, the session would go out with no errors.
  async session() {
    init();
    Sentry.setUser({ id: 'user-7' });
    Sentry.startSession();
    capture(parsePort, { round: 'session' });
    await Sentry.flush(5000);
    Sentry.endSession();
  },

  // A span tree, streamed as span v2 containers (SDK 11's default).
  spans() {
    init();
    Sentry.startSpan({ name: 'POST /checkout', op: 'http.server' }, () => {
      Sentry.startSpan({ name: 'validate cart', op: 'function' }, () => {});
      Sentry.startSpan({ name: 'INSERT orders', op: 'db.query' }, () => {
        Sentry.startSpan({ name: 'acquire connection', op: 'db.connection' }, () => {});
      });
      try {
        Sentry.startSpan({ name: 'charge card', op: 'http.client' }, () => {
          throw new Error('gateway timeout');
        });
      } catch {
        // The span records the failure; the error itself is not captured.
      }
    });
  },

  checkins() {
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

    const interval = { schedule: { type: 'interval', value: 10, unit: 'minute' }, maxRuntime: 2 };
    Sentry.withMonitor('sync-ok', () => sleep(50), interval);
    try {
      Sentry.withMonitor(
        'sync-fail',
        () => {
          sleep(50);
          throw new Error('sync failed');
        },
        interval,
      );
    } catch {
      // withMonitor rethrows after reporting the error check-in.
    }
  },

  logs() {
    init({ enableLogs: true });
    Sentry.startSpan({ name: 'login', op: 'function' }, () => {
      Sentry.logger.info('user logged in', { userId: 7, admin: false, ratio: 0.5, plan: 'pro' });
      Sentry.logger.warn(Sentry.logger.fmt`slow query took ${1234} ms`);
      Sentry.logger.error('payment failed', { amount: 9.99, currency: 'EUR' });
    });
  },

  // User feedback about a message event. The SDK attaches the call stack
  // to the message as a synthetic exception, so Sentry titles the issue with
  // the function that sent it.
  feedback() {
    init();
    const eventId = reportCheckoutBug();
    Sentry.captureFeedback({
      message: 'I clicked checkout and nothing happened.',
      name: 'Jane Doe',
      email: 'jane@example.invalid',
      url: 'https://shop.example.invalid/cart',
      associatedEventId: eventId,
    });
  },

  // One attachment from the scope, one from the hint; the hint's is binary,
  // bytes that are not valid UTF-8 among them.
  attachments() {
    init();
    Sentry.getCurrentScope().addAttachment({
      filename: 'config.json',
      data: '{"feature_flags":{"new_checkout":true}}\n',
      contentType: 'application/json',
    });
    try {
      throw new Error('config rejected');
    } catch (err) {
      Sentry.captureException(err, {
        attachments: [{ filename: 'dump.bin', data: new Uint8Array([0, 1, 2, 0xfe, 0xff, 0x0a, 0x0d, 0x80]) }],
      });
    }
  },
};

async function main() {
  const run = scenarios[scenario];
  if (!run) {
    console.error(`unknown scenario ${JSON.stringify(scenario)}; known: ${Object.keys(scenarios).join(', ')}`);
    process.exit(2);
  }
  await run();
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
