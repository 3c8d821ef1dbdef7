package parameterize

import (
	"testing"
)

// benchMessages is a mix of exception values and log lines as SDKs send
// them: about a third with nothing to replace, the rest with ids, numbers,
// URLs, dates and addresses, some long.
var benchMessages = []string{
	"Cannot read property 'submitError' of null",
	"An unhandled exception has occurred while executing the request.",
	"Fatal Error: EXC_BAD_ACCESS / KERN_INVALID_ADDRESS",
	"SoftTimeLimitExceeded()",
	"TypeError: undefined is not an object (evaluating 'this.props.user.name')",
	"ReferenceError: varant is not defined",
	"One or more errors occurred.",
	"ValueError: invalid literal for int() with base 10: 'abc'",
	"django.db.utils.OperationalError: could not connect to server: Connection refused",
	"KeyError: 'customer_email'",
	"NullPointerException: Attempt to invoke virtual method on a null object reference",
	"Application Not Responding for at least 5000 ms.",
	"429 Client Error: Too Many Requests for url: https://slack.com/api/chat.postMessage",
	"Fatal Error: 0x40000015 / 0x00000001",
	"GET /issues/1018239786/events/latest/ 404",
	"Loading chunk 158 failed.\n(timeout: https://cdn.example.com/_static/34f8a6d11b9f52ebb4e5fd949650088f/dist/app.js)",
	"Code=0 Description=The operation couldn’t be completed. (iOS_Swift.SampleError error 0.)",
	"testing testing 1, 2, 3",
	"User 48213 not found in organization 912 (request_id=7c1811ed-e98f-4c9c-a9f9-58c757ff494f)",
	"Timeout after 30.5s connecting to db-replica-3.internal.example.com:5432",
	"Connection reset by peer (10.12.0.7:6379) after 1532ms",
	"2024-02-23 02:13:53.418 ERROR [worker-7] job 88213 failed: deadline exceeded",
	"Failed to fetch https://api.example.com/v2/orders/18412?include=items&limit=50: 503 Service Unavailable",
	"Invalid token for user jane.doe@example.org: signature mismatch",
	"commit abc1234 is not an ancestor of 9af8c3be3a1231fe1121acb1",
	"Payment declined: card ending 4242, amount 129.99 EUR, attempt 3 of 5",
	"Segfault at 0x00007ffee3b1c2a8 in thread 0x1a03",
	"Query took 2.345s: SELECT * FROM events WHERE project_id = 42 AND timestamp > '2024-01-01T00:00:00Z'",
	"Wed Apr 17 22:31:45 2019: foobar.bazblafasel@example.invalid logged in (error 42) time spent 1234.33 --- correlation id 88ee7c66-29a9-4a4a-bc26-c72d76c5de14, checksum da39a3ee5e6b4b0d3255bfef95601890afd80709 (md5 d41d8cd98f00b204e9800998ecf8427e); payload timestamp 2019-04-17T20:29:05Z (submitted from 127.0.0.1 via 2001:0db8:85a3:0000:0000:8a2e:0370:7334 via ::1) at offset 0xfeedbeef",
	"Unhandled rejection: Error: ENOENT: no such file or directory, open '/var/lib/app/cache/session-5f2c.json'",
	"Rate limit exceeded for key=api_live retry_after=60 enabled=true",
	"SomeClass::someMethod() threw std::out_of_range: vector::_M_range_check: __n (which is 12) >= this->size() (which is 12)",
}

func BenchmarkParameterize(b *testing.B) {
	var size int64
	for _, m := range benchMessages {
		size += int64(len(m))
	}
	b.Run("impl=scanner", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, m := range benchMessages {
				Parameterize(m)
			}
		}
	})
	b.Run("impl=regexp2", func(b *testing.B) {
		o := sharedOracle(b)
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, m := range benchMessages {
				o.replace(b, m)
			}
		}
	})
}

// BenchmarkNothingToReplace is the common case of an exception value with
// no variable part.
func BenchmarkNothingToReplace(b *testing.B) {
	m := "TypeError: undefined is not an object (evaluating 'this.props.user.name')"
	b.SetBytes(int64(len(m)))
	b.ReportAllocs()
	for b.Loop() {
		Parameterize(m)
	}
}
