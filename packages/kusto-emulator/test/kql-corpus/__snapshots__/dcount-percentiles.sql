SELECT *
FROM (
  SELECT "Region", "dcount_UserId", "percentile_Value_50", "percentile_Value_90", "percentile_Value_99", "stdev_Value", kql_array_sort("__agg_4_5", 'ASC', true) AS "kinds"
  FROM (
    SELECT "Region", count(DISTINCT "UserId") AS "dcount_UserId", quantile_disc("Value", (CAST($1 AS BIGINT) / CAST($2 AS DOUBLE))) AS "percentile_Value_50", quantile_disc("Value", (CAST($3 AS BIGINT) / CAST($4 AS DOUBLE))) AS "percentile_Value_90", quantile_disc("Value", (CAST($5 AS BIGINT) / CAST($6 AS DOUBLE))) AS "percentile_Value_99", stddev_samp("Value") AS "stdev_Value", coalesce(to_json(list(DISTINCT "Kind") FILTER (WHERE "Kind" IS NOT NULL)), '[]') AS "__agg_4_5"
    FROM "Events"
    GROUP BY 1
  ) AS t1
) AS t2
ORDER BY "Region" ASC NULLS FIRST;
-- parameters: ["50n",100,"90n",100,"99n",100]
