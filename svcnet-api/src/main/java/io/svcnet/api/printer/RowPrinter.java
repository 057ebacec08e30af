package io.svcnet.api.printer;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * The columns of one resource type and the function that fills them for one object, in column order
 * (every column, wide ones included: kube-apiserver always prints wide and kubectl hides priority-1 columns).
 * Cells are {@code String} or {@code Long}.
 */
record RowPrinter(List<Column> columns, CellFunction cells) {

    @FunctionalInterface
    interface CellFunction {
        List<Object> cells(JsonNode obj, Instant now);
    }

    RowPrinter {
        columns = List.copyOf(columns);
    }
}
