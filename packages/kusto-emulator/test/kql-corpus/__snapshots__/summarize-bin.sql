SELECT *
FROM (
  SELECT "Kind", "Ts", "count_", "sum_Value", "avg_Score", "clicks", ((CAST($1 AS DOUBLE) * "__agg_4_4") / "__agg_4_5") AS "pct"
  FROM (
    SELECT "Kind", kql_bin_datetime("Ts", CAST($2 AS BIGINT)) AS "Ts", count(*) AS "count_", CAST(sum("Value") AS BIGINT) AS "sum_Value", avg("Score") AS "avg_Score", count(*) FILTER (WHERE ("Kind" = CAST($3 AS VARCHAR))) AS "clicks", count(*) FILTER (WHERE ("Kind" = CAST($4 AS VARCHAR))) AS "__agg_4_4", count(*) AS "__agg_4_5"
    FROM "Events"
    GROUP BY 1, 2
  ) AS t1
) AS t2
ORDER BY "Kind" ASC NULLS FIRST, "Ts" ASC NULLS FIRST;
-- parameters: [100,"216000000000n","click","buy"]
