package com.example.shop;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

// Records exceptions as OpenTelemetry Java's SdkSpan.recordException does:
// type is the canonical class name, stacktrace is printStackTrace output.
public class Gen {
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\t': b.append("\\t"); break;
                case '\r': b.append("\\r"); break;
                default: b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static void record(StringBuilder out, String name, Throwable t) {
        StringWriter sw = new StringWriter();
        try (PrintWriter pw = new PrintWriter(sw)) {
            t.printStackTrace(pw);
        }
        String type = t.getClass().getCanonicalName();
        if (type == null) type = t.getClass().getName();
        if (out.length() > 1) out.append(",\n");
        out.append(quote(name)).append(": {\"exception.type\": ").append(quote(type))
            .append(", \"exception.message\": ").append(quote(String.valueOf(t.getMessage())))
            .append(", \"exception.stacktrace\": ").append(quote(sw.toString())).append("}");
    }

    interface Call { void run() throws Throwable; }

    public static void main(String[] args) throws Exception {
        OrderService svc = new OrderService(Map.of("a", 1));
        StringBuilder out = new StringBuilder("{");
        Object[][] cases = {
            {"stream", (Call) () -> svc.reserveAll(List.of("a", "zz"))},
            {"cause", (Call) () -> svc.checkout("a")},
            {"number", (Call) () -> svc.parseQuantity("12x")},
            {"reflect", (Call) () -> {
                Method m = OrderService.class.getMethod("reserve", String.class);
                m.invoke(svc, "nope");
            }},
            {"suppressed", (Call) () -> {
                IllegalArgumentException e = new IllegalArgumentException("bad cart");
                try { svc.reserve("q"); } catch (IllegalStateException s) { e.addSuppressed(s); }
                throw e;
            }},
        };
        for (Object[] c : cases) {
            try {
                ((Call) c[1]).run();
            } catch (Throwable t) {
                record(out, (String) c[0], t);
            }
        }
        System.out.println(out.append("}"));
    }
}
