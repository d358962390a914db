SELECT "slope", "forecast"
FROM (
  SELECT "slope", to_json(struct_extract(kql_decompose(kql_series("v"), CAST($1 AS BIGINT), CAST($2 AS VARCHAR), CAST($3 AS BIGINT)), CAST($4 AS VARCHAR))) AS "forecast"
  FROM (
    SELECT "v", "Ts", struct_extract(kql_fit_line(kql_series("v")), CAST($5 AS VARCHAR)) AS "rsquare", struct_extract(kql_fit_line(kql_series("v")), CAST($6 AS VARCHAR)) AS "slope", struct_extract(kql_fit_line(kql_series("v")), CAST($7 AS VARCHAR)) AS "series_fit_line_v_variance", struct_extract(kql_fit_line(kql_series("v")), CAST($8 AS VARCHAR)) AS "series_fit_line_v_rvariance", struct_extract(kql_fit_line(kql_series("v")), CAST($9 AS VARCHAR)) AS "series_fit_line_v_interception", struct_extract(kql_fit_line(kql_series("v")), CAST($10 AS VARCHAR)) AS "series_fit_line_v_line_fit"
    FROM (
      SELECT to_json(list_transform(range(0, CAST(ceil((CAST($12 AS BIGINT) - CAST($11 AS BIGINT)) / CAST($13 AS BIGINT)) AS BIGINT)), i -> coalesce("v"[i], CAST($14 AS BIGINT)))) AS "v", to_json(list_transform(range(0, CAST(ceil((CAST($12 AS BIGINT) - CAST($11 AS BIGINT)) / CAST($13 AS BIGINT)) AS BIGINT)), i -> kql_datetime_string((CAST($11 AS BIGINT) + i * CAST($13 AS BIGINT))))) AS "Ts"
      FROM (
        SELECT map(list("__bin"), list("v")) AS "v"
        FROM (
          SELECT (("Ts" - CAST($11 AS BIGINT)) // CAST($13 AS BIGINT)) AS "__bin", CAST(sum("Value") AS BIGINT) AS "v"
          FROM "Events"
          WHERE "Ts" >= CAST($11 AS BIGINT) AND "Ts" < CAST($12 AS BIGINT)
          GROUP BY 1
        ) AS t1
        HAVING count(*) > 0
      ) AS t2
    ) AS t3
  ) AS t4
) AS t5;
-- parameters: ["4n","linefit","2n","baseline","rsquare","slope","variance","rvariance","interception","line_fit","638396640000000000n","638399232000000000n","216000000000n","0n"]
