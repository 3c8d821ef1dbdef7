package orders

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.opentelemetry.io/otel/trace"
)

var ErrNotFound = errors.New("order not found")

type Store struct{ items map[string]int }

type ValidationError struct{ Field string }

func (e ValidationError) Error() string { return "invalid field " + e.Field }

func (s *Store) Lookup(ctx context.Context, id string) (int, error) {
	span := trace.SpanFromContext(ctx)
	n, err := strconv.Atoi(id)
	if err != nil {
		span.RecordError(err, trace.WithStackTrace(true))
		return 0, err
	}
	if _, ok := s.items[id]; !ok {
		err := fmt.Errorf("lookup %d: %w", n, ErrNotFound)
		span.RecordError(err, trace.WithStackTrace(true))
		return 0, err
	}
	return n, nil
}

func (s *Store) Validate(ctx context.Context, field string) error {
	check := func() error {
		err := ValidationError{Field: field}
		trace.SpanFromContext(ctx).RecordError(err, trace.WithStackTrace(true))
		return err
	}
	return check()
}
