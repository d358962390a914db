SELECT *
FROM (
  SELECT "Ts", "Kind", ("Value" * CAST($1 AS BIGINT)) AS "Doubled", ("Value" // CAST($2 AS BIGINT)) AS "Ratio", ("Value" / CAST($3 AS DOUBLE)) AS "RealRatio"
  FROM (
    SELECT *
    FROM "Events"
    WHERE ((("Value" > CAST($4 AS BIGINT)) AND ("Kind" IN (CAST($5 AS VARCHAR), CAST($6 AS VARCHAR)))) AND (NOT coalesce(regexp_matches("Region", CAST($7 AS VARCHAR)), false)))
  ) AS t1
) AS t2
ORDER BY "Ts" ASC NULLS FIRST
LIMIT CAST($8 AS BIGINT);
-- parameters: ["2n","7n",7,"40n","click","view","(?i)(^|[^[:alnum:]])test($|[^[:alnum:]])","5n"]
