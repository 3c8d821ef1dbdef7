package com.example.shop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

public class OrderService {
    public static class OrderException extends RuntimeException {
        public OrderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Map<String, Integer> stock;

    public OrderService(Map<String, Integer> stock) {
        this.stock = stock;
    }

    public int reserve(String sku) {
        Integer n = stock.get(sku);
        if (n == null) {
            throw new IllegalStateException("unknown sku " + sku);
        }
        return n;
    }

    public List<Integer> reserveAll(List<String> skus) {
        return skus.stream().map(this::reserve).collect(Collectors.toList());
    }

    public void checkout(String sku) {
        try {
            readInventory(sku);
        } catch (IOException e) {
            throw new OrderException("checkout failed for " + sku, new UncheckedIOException(e));
        }
    }

    private void readInventory(String sku) throws IOException {
        throw new IOException("inventory service unavailable");
    }

    public int parseQuantity(String q) {
        return Integer.parseInt(q);
    }
}
