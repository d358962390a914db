SELECT *
FROM (
  SELECT "Region", to_json(list_transform(range(0, CAST(ceil((CAST($2 AS BIGINT) - CAST($1 AS BIGINT)) / CAST($3 AS BIGINT)) AS BIGINT)), i -> coalesce("n"[i], CAST($4 AS BIGINT)))) AS "n", to_json(list_transform(range(0, CAST(ceil((CAST($2 AS BIGINT) - CAST($1 AS BIGINT)) / CAST($3 AS BIGINT)) AS BIGINT)), i -> coalesce("total"[i], CAST($5 AS BIGINT)))) AS "total", to_json(list_transform(range(0, CAST(ceil((CAST($2 AS BIGINT) - CAST($1 AS BIGINT)) / CAST($3 AS BIGINT)) AS BIGINT)), i -> kql_datetime_string((CAST($1 AS BIGINT) + i * CAST($3 AS BIGINT))))) AS "Ts"
  FROM (
    SELECT "Region", map(list("__bin"), list("n")) AS "n", map(list("__bin"), list("total")) AS "total"
    FROM (
      SELECT "Region" AS "Region", (("Ts" - CAST($1 AS BIGINT)) // CAST($3 AS BIGINT)) AS "__bin", count(*) AS "n", CAST(sum("Value") AS BIGINT) AS "total"
      FROM "Events"
      WHERE "Ts" >= CAST($1 AS BIGINT) AND "Ts" < CAST($2 AS BIGINT)
      GROUP BY 1, 2
    ) AS t1
    GROUP BY "Region"
  ) AS t2
) AS t3
ORDER BY "Region" ASC NULLS FIRST;
-- parameters: ["638396640000000000n","638398368000000000n","432000000000n","0n","0n"]
