package envelope

// An ItemHeader is the header of an item. Besides the generic Header
// methods it reads the fields Sentry defines.
type ItemHeader struct {
	Header
	info   itemInfo
	bucket bucket
	off    int64 // input offset of the header, or -1
}

// current returns the framing facts, read again if the header was changed.
func (h *ItemHeader) current() itemInfo {
	if !h.edited {
		return h.info
	}
	var buf [16]memberSpan
	raw := h.Raw()
	info, _, _, _, _ := readItemHeader(raw, appendMembers(buf[:0], raw), true)
	return info
}

// Type returns the item type.
func (h *ItemHeader) Type() ItemType { return h.current().typ }

// Length returns the "length" the header declares. It reports false when the
// payload's length is implicit: it runs to the next newline.
func (h *ItemHeader) Length() (int64, bool) {
	n := h.current().length
	return n, n >= 0
}

// ItemCount returns "item_count", the number of records in a container item.
func (h *ItemHeader) ItemCount() (int64, bool) {
	n := h.current().itemCount
	return n, n >= 0
}

// ContentType returns "content_type", or "" if there is none.
func (h *ItemHeader) ContentType() string { s, _ := h.GetString("content_type"); return s }

// Filename returns "filename", or "" if there is none.
func (h *ItemHeader) Filename() string { s, _ := h.GetString("filename"); return s }

// AttachmentType returns "attachment_type". For an attachment without one it
// returns AttachmentDefault, as Relay assumes.
func (h *ItemHeader) AttachmentType() AttachmentType {
	if s, ok := h.GetString("attachment_type"); ok {
		return AttachmentType(s)
	}
	if h.Type() == TypeAttachment {
		return AttachmentDefault
	}
	return ""
}

// Platform returns "platform", or "" if there is none.
func (h *ItemHeader) Platform() string { s, _ := h.GetString("platform"); return s }

// IsContainer reports whether the item is an item container: a "log",
// "trace_metric" or "span" item whose content type is the matching
// application/vnd.sentry.items.* type. Its payload is {"items":[...]}.
func (h *ItemHeader) IsContainer() bool {
	ct := h.Get("content_type")
	s, ok := rawString(ct)
	if !ok {
		return false
	}
	switch h.Type() {
	case TypeLog:
		return equalFoldASCII(s, ContentTypeLogContainer)
	case TypeSpan:
		return equalFoldASCII(s, ContentTypeSpanContainer)
	case TypeTraceMetric:
		return equalFoldASCII(s, ContentTypeMetricContainer)
	}
	return false
}
