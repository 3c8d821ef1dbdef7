package main

import (
	"context"
	"encoding/json"
	"os"

	"example.com/shop/internal/orders"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func handle(ctx context.Context, s *orders.Store, id string) {
	s.Lookup(ctx, id)
}

func main() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tr := tp.Tracer("shop")
	s := &orders.Store{}
	for _, id := range []string{"abc", "42"} {
		ctx, span := tr.Start(context.Background(), "GET /orders/{id}")
		handle(ctx, s, id)
		span.End()
	}
	ctx, span := tr.Start(context.Background(), "validate")
	done := make(chan struct{})
	go func() { s.Validate(ctx, "email"); close(done) }()
	<-done
	span.End()
	ctx, span = tr.Start(context.Background(), "walk")
	orders.Walk(ctx, 30)
	span.End()
	ctx, span = tr.Start(context.Background(), "checkout")
	orders.Checkout(ctx, []int{1})
	span.End()

	var out []map[string]string
	for _, sp := range rec.Ended() {
		for _, ev := range sp.Events() {
			m := map[string]string{"name": ev.Name}
			for _, kv := range ev.Attributes {
				m[string(kv.Key)] = kv.Value.Emit()
			}
			_ = attribute.Key("")
			out = append(out, m)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
