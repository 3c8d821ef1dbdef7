package envelope

// Limits are the size and count limits an envelope must keep to. The zero
// value of a field means no limit, except MaxHeaderSize. DefaultLimits
// returns Relay's defaults; to change one limit, start from it:
//
//	l := envelope.DefaultLimits()
//	l.MaxEventSize = 2 << 20
//	env, err := envelope.Parse(data, envelope.WithLimits(l))
//
// Relay charges every item to a bucket (events, attachments, sessions, ...)
// that has a limit on the size of one item, on the number of items and on
// their total size; the first item over any of them rejects the whole
// envelope with 413. Relay allows at most one item of the event, profile,
// check-in, statsd, metric bucket, replay and container buckets; those counts
// are fixed, as in Relay, and apply whenever the bucket's size limit is set.
// Items of unknown types and "nel" items are charged to no bucket.
//
// For the containers ("log", "trace_metric", span v2 "span" items) the item
// size checked is the payload size divided by "item_count", as in Relay.
type Limits struct {
	MaxEnvelopeSize         int64 // max_envelope_size: the whole (decompressed) envelope
	MaxHeaderSize           int64 // not a Relay limit: one header's JSON, which a Reader buffers; 0 means 1 MiB
	MaxEventSize            int64 // max_event_size: event, transaction, security, feedback, replay_event, form_data
	MaxAttachmentSize       int64 // max_attachment_size: one attachment, user_report or unreal_report
	MaxAttachmentsSize      int64 // max_attachments_size: all of them
	MaxAttachmentCount      int64 // max_attachment_count
	MaxClientReportsSize    int64 // max_client_reports_size
	MaxClientReportsCount   int64 // max_client_reports_count
	MaxCheckInSize          int64 // max_check_in_size
	MaxSessionsSize         int64 // max_sessions_size: all session and sessions items
	MaxSessionCount         int64 // max_session_count
	MaxProfileSize          int64 // max_profile_size: profile and profile_chunk
	MaxLogSize              int64 // max_log_size: one log record (container average)
	MaxTraceMetricSize      int64 // max_trace_metric_size: one metric (container average)
	MaxSpanSize             int64 // max_span_size: one span (container average)
	MaxStandaloneSpanCount  int64 // max_standalone_span_count: span items that are not containers
	MaxContainerSize        int64 // max_container_size: a whole container item
	MaxStatsdSize           int64 // max_statsd_size
	MaxMetricBucketsSize    int64 // max_metric_buckets_size
	MaxReplayCompressedSize int64 // max_replay_compressed_size: replay_recording, replay_video
}

const (
	kiB = 1 << 10
	miB = 1 << 20
)

// DefaultLimits returns the defaults of the newest Relay configuration, with
// a 1 MiB MaxHeaderSize.
func DefaultLimits() Limits {
	return Limits{
		MaxEnvelopeSize:         200 * miB,
		MaxHeaderSize:           1 * miB,
		MaxEventSize:            1 * miB,
		MaxAttachmentSize:       200 * miB,
		MaxAttachmentsSize:      200 * miB,
		MaxAttachmentCount:      30,
		MaxClientReportsSize:    100 * kiB,
		MaxClientReportsCount:   100,
		MaxCheckInSize:          100 * kiB,
		MaxSessionsSize:         10 * miB,
		MaxSessionCount:         100,
		MaxProfileSize:          50 * miB,
		MaxLogSize:              2 * miB,
		MaxTraceMetricSize:      1 * miB,
		MaxSpanSize:             10 * miB,
		MaxStandaloneSpanCount:  25,
		MaxContainerSize:        12 * miB,
		MaxStatsdSize:           1 * miB,
		MaxMetricBucketsSize:    1 * miB,
		MaxReplayCompressedSize: 10 * miB,
	}
}

// bucket names one of Relay's size buckets.
type bucket uint8

const (
	bucketNone bucket = iota
	bucketEvent
	bucketAttachment
	bucketReplayRecording
	bucketReplayVideo
	bucketSession
	bucketClientReport
	bucketProfile
	bucketCheckIn
	bucketStatsd
	bucketMetricBuckets
	bucketLog
	bucketTraceMetric
	bucketSpan
	bucketSpanLegacy
	bucketIntegration
	numBuckets
)

// bucketOf returns the bucket an item is charged to.
func bucketOf(t ItemType, contentType []byte) bucket {
	switch t {
	case TypeEvent, TypeTransaction, TypeSecurity, TypeRawSecurity, TypeReplayEvent, TypeFeedback, TypeFormData:
		return bucketEvent
	case TypeAttachment, TypeUnrealReport, TypeUserReport:
		return bucketAttachment
	case TypeReplayRecording:
		return bucketReplayRecording
	case TypeReplayVideo:
		return bucketReplayVideo
	case TypeSession, TypeSessions:
		return bucketSession
	case TypeClientReport:
		return bucketClientReport
	case TypeProfile, TypeProfileChunk, TypeProfileChunkUI:
		return bucketProfile
	case TypeCheckIn:
		return bucketCheckIn
	case TypeStatsd:
		return bucketStatsd
	case TypeMetricBuckets:
		return bucketMetricBuckets
	case TypeLog:
		return bucketLog
	case TypeTraceMetric:
		return bucketTraceMetric
	case TypeSpan:
		if equalFoldASCII(contentType, ContentTypeSpanContainer) {
			return bucketSpan
		}
		return bucketSpanLegacy
	case TypeIntegration:
		return bucketIntegration
	}
	return bucketNone
}

// rule is one row of Relay's bucket table, resolved against a Limits value.
type rule struct {
	itemName, countName, totalName string
	item, count, total             int64
	average                        bool // item size is payload / item_count
}

func (l *Limits) rule(b bucket) rule {
	one := func(size int64) int64 {
		if size > 0 {
			return 1
		}
		return 0
	}
	switch b {
	case bucketEvent:
		return rule{"max_event_size", "event items", "max_event_size", l.MaxEventSize, one(l.MaxEventSize), l.MaxEventSize, false}
	case bucketAttachment:
		return rule{"max_attachment_size", "max_attachment_count", "max_attachments_size", l.MaxAttachmentSize, l.MaxAttachmentCount, l.MaxAttachmentsSize, false}
	case bucketReplayRecording:
		return rule{"max_replay_compressed_size", "replay_recording items", "max_replay_compressed_size", l.MaxReplayCompressedSize, one(l.MaxReplayCompressedSize), l.MaxReplayCompressedSize, false}
	case bucketReplayVideo:
		return rule{"max_replay_compressed_size", "replay_video items", "max_replay_compressed_size", l.MaxReplayCompressedSize, one(l.MaxReplayCompressedSize), l.MaxReplayCompressedSize, false}
	case bucketSession:
		return rule{"max_sessions_size", "max_session_count", "max_sessions_size", l.MaxSessionsSize, l.MaxSessionCount, l.MaxSessionsSize, false}
	case bucketClientReport:
		return rule{"max_client_reports_size", "max_client_reports_count", "max_client_reports_size", l.MaxClientReportsSize, l.MaxClientReportsCount, l.MaxClientReportsSize, false}
	case bucketProfile:
		return rule{"max_profile_size", "profile items", "max_profile_size", l.MaxProfileSize, one(l.MaxProfileSize), l.MaxProfileSize, false}
	case bucketCheckIn:
		return rule{"max_check_in_size", "check_in items", "max_check_in_size", l.MaxCheckInSize, one(l.MaxCheckInSize), l.MaxCheckInSize, false}
	case bucketStatsd:
		return rule{"max_statsd_size", "statsd items", "max_statsd_size", l.MaxStatsdSize, one(l.MaxStatsdSize), l.MaxStatsdSize, false}
	case bucketMetricBuckets:
		return rule{"max_metric_buckets_size", "metric_buckets items", "max_metric_buckets_size", l.MaxMetricBucketsSize, one(l.MaxMetricBucketsSize), l.MaxMetricBucketsSize, false}
	case bucketLog:
		return rule{"max_log_size", "log items", "max_container_size", l.MaxLogSize, one(l.MaxLogSize), l.MaxContainerSize, true}
	case bucketTraceMetric:
		return rule{"max_trace_metric_size", "trace_metric items", "max_container_size", l.MaxTraceMetricSize, one(l.MaxTraceMetricSize), l.MaxContainerSize, true}
	case bucketSpan:
		return rule{"max_span_size", "span container items", "max_container_size", l.MaxSpanSize, one(l.MaxSpanSize), l.MaxContainerSize, true}
	case bucketSpanLegacy:
		return rule{"max_span_size", "max_standalone_span_count", "max_container_size", l.MaxSpanSize, l.MaxStandaloneSpanCount, l.MaxContainerSize, false}
	case bucketIntegration:
		return rule{"max_container_size", "integration items", "max_container_size", l.MaxContainerSize, one(l.MaxContainerSize), l.MaxContainerSize, false}
	}
	return rule{}
}

// itemMax returns the largest payload of one item, or -1 for no limit. For
// containers Relay divides the payload size by the item count, rounding
// down, before comparing; this is the largest size that passes.
func (r rule) itemMax(itemCount int64) int64 {
	switch {
	case r.item <= 0:
		return -1
	case r.average:
		c := max(itemCount, 1)
		return (r.item+1)*c - 1
	}
	return r.item
}

// budget charges items to their buckets as they are framed. Parse and
// Reader charge in the same order with the same rules, so they report the
// same LimitError for the same input.
type budget struct {
	limits *Limits
	count  [numBuckets]int64
	total  [numBuckets]int64
}

// admit counts an item; it is called once its header is known.
func (b *budget) admit(t ItemType, b2 bucket, item int, off int64) error {
	if b2 == bucketNone {
		return nil
	}
	r := b.limits.rule(b2)
	b.count[b2]++
	if r.count > 0 && b.count[b2] > r.count {
		return &LimitError{Limit: r.countName, Type: t, Item: item, Offset: off, Value: b.count[b2], Max: r.count}
	}
	return nil
}

// maxPayload returns the largest payload the item may have, or -1 when
// there is no limit. A payload of more bytes fails charge.
func (b *budget) maxPayload(b2 bucket, itemCount int64) int64 {
	if b2 == bucketNone {
		return -1
	}
	r := b.limits.rule(b2)
	m := r.itemMax(itemCount)
	if r.total > 0 {
		if left := r.total - b.total[b2]; m < 0 || left < m {
			m = left
		}
	}
	return m
}

// charge adds an item's payload size to its bucket and reports the limit it
// breaks. Of the per-item and the total limit, the one that allows fewer
// bytes is reported, so that a streaming reader that stops at the first
// byte over can report the same limit as a parser that sees the whole size.
func (b *budget) charge(t ItemType, b2 bucket, itemCount, size int64, item int, off int64) error {
	if b2 == bucketNone {
		return nil
	}
	r := b.limits.rule(b2)
	itemMax := r.itemMax(itemCount)
	totalMax := int64(-1)
	if r.total > 0 {
		totalMax = r.total - b.total[b2]
	}
	switch {
	case itemMax >= 0 && size > itemMax && (totalMax < 0 || itemMax <= totalMax):
		v, m := size, r.item
		if r.average {
			v = size / max(itemCount, 1)
		}
		return &LimitError{Limit: r.itemName, Type: t, Item: item, Offset: off, Value: v, Max: m}
	case totalMax >= 0 && size > totalMax:
		return &LimitError{Limit: r.totalName, Type: t, Item: item, Offset: off, Value: b.total[b2] + size, Max: r.total}
	}
	b.total[b2] += size
	return nil
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// check charges framed items in order, as Relay checks an envelope it has
// parsed: each item is counted, then its payload is charged.
func (b *budget) check(items []*Item) error {
	for i, it := range items {
		info := it.current()
		bk := it.bucket
		if it.Header.edited || it.raw == nil {
			ct, _ := rawString(it.Get("content_type"))
			bk = bucketOf(info.typ, ct)
		}
		if err := b.admit(info.typ, bk, i, it.off); err != nil {
			return err
		}
		if err := b.charge(info.typ, bk, info.itemCount, int64(len(it.payload)), i, it.off); err != nil {
			return err
		}
	}
	return nil
}
