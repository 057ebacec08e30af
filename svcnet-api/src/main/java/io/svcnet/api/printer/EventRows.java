package io.svcnet.api.printer;

import static io.svcnet.api.printer.Cells.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * core/v1 Event rows, as upstream's {@code printEvent} (wide form, which is what the server prints): LAST
 * SEEN falls back to the first timestamp or eventTime and follows a series; OBJECT is
 * {@code kind/name} in lower case; SOURCE is {@code component, host} (or the reporting controller and
 * instance).
 */
final class EventRows {

    static final RowPrinter PRINTER = new RowPrinter(List.of(
            Column.string("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
            Column.string("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
            Column.string("Reason", "This should be a short, machine understandable string that gives the reason for the "
                    + "transition into the object's current status."),
            Column.string("Object", "The object that this event is about."),
            Column.wide("Subobject", "If referring to a piece of an object instead of an entire object, this string should "
                    + "contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]."),
            Column.wide("Source", "The component reporting this event. Should be a short machine understandable string."),
            Column.string("Message", "A human-readable description of the status of this operation."),
            Column.wide("First Seen", "The time at which the event was first recorded. (Time of server receipt is in "
                    + "TypeMeta.)"),
            Column.wide("Count", "The number of times this event has occurred."),
            new Column("Name", "string", "name", Column.NAME_DOC, 1)),
            EventRows::cells);

    private EventRows() {}

    static List<Object> cells(JsonNode ev, Instant now) {
        String first = Cells.since(ev.path("firstTimestamp"), now);
        if (Cells.instant(ev.path("firstTimestamp")) == null) {
            first = Cells.since(ev.path("eventTime"), now);
        }
        String last = Cells.since(ev.path("lastTimestamp"), now);
        if (Cells.instant(ev.path("lastTimestamp")) == null) {
            last = first;
        }
        long count = ev.path("count").asLong(0);
        JsonNode series = ev.path("series");
        if (series.isObject()) {
            last = Cells.since(series.path("lastObservedTime"), now);
            count = series.path("count").asLong(0);
        } else if (count == 0) {
            count = 1; // singleton events of the new API carry no count
        }
        JsonNode involved = ev.path("involvedObject");
        String kind = text(involved.path("kind")).toLowerCase(Locale.ROOT);
        String name = text(involved.path("name"));
        String target = name.isEmpty() ? kind : kind + "/" + name;
        String component = firstNonEmpty(text(ev.path("source").path("component")), text(ev.path("reportingComponent")));
        String instance = firstNonEmpty(text(ev.path("source").path("host")), text(ev.path("reportingInstance")));
        String source = instance.isEmpty() ? component : component + ", " + instance;
        return List.of(last, text(ev.path("type")), text(ev.path("reason")), target, text(involved.path("fieldPath")),
                source, text(ev.path("message")).strip(), first, count, Cells.name(ev));
    }

    private static String firstNonEmpty(String a, String b) {
        return a.isEmpty() ? b : a;
    }
}
