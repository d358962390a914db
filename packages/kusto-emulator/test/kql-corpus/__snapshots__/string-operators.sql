SELECT *
FROM (
  SELECT "UserId", "a", "b", "c", "d", "e", "f", "g", "h", "parts"
  FROM (
    SELECT "UserId", "Name", "Country", "a", "b", "c", "d", "e", (lower("Country") IN (lower(CAST($1 AS VARCHAR)), lower(CAST($2 AS VARCHAR)))) AS "f", coalesce(regexp_matches("Name", CAST($3 AS VARCHAR)), false) AS "g", coalesce(regexp_extract("Name", CAST($4 AS VARCHAR), CAST(CAST($5 AS BIGINT) AS INTEGER)), '') AS "h", to_json(string_split("Name", CAST($6 AS VARCHAR))) AS "parts"
    FROM (
      SELECT "UserId", "Name", "Country", coalesce(regexp_matches("Name", CAST($7 AS VARCHAR)), false) AS "a", contains(lower("Name"), lower(CAST($8 AS VARCHAR))) AS "b", contains("Name", CAST($9 AS VARCHAR)) AS "c", starts_with(lower("Name"), lower(CAST($10 AS VARCHAR))) AS "d", (lower("Country") = lower(CAST($11 AS VARCHAR))) AS "e"
      FROM "Users"
    ) AS t1
  ) AS t2
) AS t3
ORDER BY "UserId" ASC NULLS FIRST
LIMIT CAST($12 AS BIGINT);
-- parameters: ["FR","us","^[A-Z][a-z]+$","([a-z]+)","1n","n","(?i)(^|[^[:alnum:]])ann($|[^[:alnum:]])","NN","NN","a","de","6n"]
