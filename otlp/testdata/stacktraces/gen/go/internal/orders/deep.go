package orders

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/trace"
)

type Number interface{ ~int | ~int64 }

// Walk recurses to make a stack deeper than the 2048 bytes OTel Go keeps.
func Walk[T Number](ctx context.Context, depth T) error {
	if depth == 0 {
		err := errors.New("walk bottomed out")
		trace.SpanFromContext(ctx).RecordError(err, trace.WithStackTrace(true))
		return err
	}
	return Walk(ctx, depth-1)
}

// Checkout panics and records the recovered panic, as otelhttp-style
// middleware does.
func Checkout(ctx context.Context, cart []int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			trace.SpanFromContext(ctx).RecordError(err, trace.WithStackTrace(true))
		}
	}()
	return charge(cart, 3)
}

func charge(cart []int, i int) error {
	_ = cart[i]
	return nil
}
