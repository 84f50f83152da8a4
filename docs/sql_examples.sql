-- Queries over a store exported with `newsclaims export` (sqlite:/// or postgresql://).
-- Each runs unchanged on SQLite (3.38 or later, for ->>) and PostgreSQL. Parameters are
-- written :name: Python's sqlite3 binds them as they are (conn.execute(sql, {"actor": ...}));
-- psycopg wants %(name)s (and %% for a literal %); in psql, \set actor 'Alibaba' and write
-- :'actor'. `date` is the document's published date (ISO 8601 text), NULL when unknown (never
-- when it was processed); `c.date IS NULL` first in ORDER BY puts undated claims last on both.

-- name: directives_by_actor
-- Every strategic directive whose actor is an entity known by this name or alias, newest first
-- (undated last).
SELECT c.date, e.name AS actor,
       c.fields ->> 'action' AS action, c.fields ->> 'status' AS status,
       ev.sentence, d.publisher, d.url
FROM claims c
JOIN entities e ON e.id = c.entity_id
JOIN claim_evidence ev ON ev.claim_id = c.id
JOIN documents d ON d.id = c.document_id
WHERE c.type = 'directive'
  AND (LOWER(e.name) = LOWER(:actor)
       OR e.id IN (SELECT a.entity_id FROM entity_aliases a WHERE LOWER(a.alias) = LOWER(:actor)))
ORDER BY c.date IS NULL, c.date DESC, c.document_id, c.start_char;

-- name: percentages_about_company
-- Percentages about a company over time: the subject resolved to the company (by name or
-- alias), or a subject phrase naming it ("Taobao & Tmall's market share"); oldest first
-- (undated last).
SELECT c.date, c.fields -> 'subject' ->> 'text' AS subject, c.fields ->> 'metric' AS metric,
       c.fields ->> 'qualifier' AS qualifier,
       CAST(c.fields ->> 'value' AS DOUBLE PRECISION) AS value,
       c.fields ->> 'when' AS period, c.text, d.publisher
FROM claims c
JOIN documents d ON d.id = c.document_id
WHERE c.type = 'percentage'
  AND (c.entity_id IN (SELECT a.entity_id FROM entity_aliases a
                       WHERE LOWER(a.alias) = LOWER(:company))
       OR LOWER(c.fields -> 'subject' ->> 'text') LIKE '%' || LOWER(:company) || '%')
ORDER BY c.date IS NULL, c.date, c.document_id, c.start_char;

-- name: entities_with_most_sources
-- Entities reported by the most documents, then publishers, then claims.
SELECT e.name, e.label, COUNT(DISTINCT c.document_id) AS documents,
       COUNT(DISTINCT d.publisher) AS publishers, COUNT(*) AS claims
FROM entities e
JOIN claims c ON c.entity_id = e.id
JOIN documents d ON d.id = c.document_id
GROUP BY e.id, e.name, e.label
ORDER BY documents DESC, publishers DESC, claims DESC, e.id
LIMIT :limit;
