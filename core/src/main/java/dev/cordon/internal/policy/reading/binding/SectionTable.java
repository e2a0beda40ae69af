package dev.cordon.internal.policy.reading.binding;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Valid;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code [permissions.build]} (or {@code macro}, {@code run}): the section's own permission keys, and its
 * crate tables. Any key that is not a permission key lands in {@link #others} as written; which of them
 * are crate tables is decided after binding (see {@code CrateTables}), and those are bound into
 * {@link #crateTables}.
 */
public final class SectionTable extends RulesTable {
    /** {@code crates}: {@code [permissions.build.crates.NAME]}, the long form of a crate table, as written. */
    public Map<String, JsonNode> crates = new LinkedHashMap<>();

    /** Keys that are not permission keys, as written: crate tables, or mistakes. */
    @JsonIgnore
    public final Map<String, JsonNode> others = new LinkedHashMap<>();

    /**
     * The crate tables, by the key path below the section they are written at: {@code sqlx}, or
     * {@code crates.env} for the long form.
     */
    @JsonIgnore
    public final Map<String, @Valid RulesTable> crateTables = new LinkedHashMap<>();

    /** Created by Jackson. */
    public SectionTable() {
    }

    /**
     * Keeps a key that is not a permission key.
     *
     * @param key the key
     * @param value its value
     */
    @JsonAnySetter
    public void other(String key, JsonNode value) {
        others.put(key, value);
    }
}
