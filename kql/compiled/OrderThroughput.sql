-- functions/OrderThroughput.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, lookback:timespan = 1h, binSize:timespan = 1m, channel:string = '');
-- OrderThroughput(tenantId, lookback, binSize, channel)
-- | take 1501

SELECT *
FROM (
  SELECT "Period", "Placed", "Cancelled", round("Revenue", CAST(CAST($1 AS BIGINT) AS INTEGER)) AS "Revenue", "AvgOrderValue"
  FROM (
    SELECT "Period", "Placed", "Cancelled", "Revenue", (CASE WHEN ("Placed" = CAST($2 AS BIGINT)) THEN CAST($3 AS DOUBLE) ELSE round(("Revenue" / "Placed"), CAST(CAST($4 AS BIGINT) AS INTEGER)) END) AS "AvgOrderValue"
    FROM (
      SELECT kql_bin_datetime("OccurredAt", CAST($5 AS BIGINT)) AS "Period", count(*) FILTER (WHERE ("Status" = CAST($6 AS VARCHAR))) AS "Placed", count(*) FILTER (WHERE ("Status" = CAST($7 AS VARCHAR))) AS "Cancelled", sum("TotalAmount") FILTER (WHERE ("Status" = CAST($8 AS VARCHAR))) AS "Revenue"
      FROM (
        SELECT *
        FROM (
          SELECT *
          FROM "Orders"
          WHERE (("TenantId" = CAST($9 AS VARCHAR)) AND ("OccurredAt" >= (CAST($10 AS BIGINT) - CAST($11 AS BIGINT))))
        ) AS t1
        WHERE ((CAST($12 AS VARCHAR) IS NULL OR CAST($12 AS VARCHAR) = '') OR ("Channel" = CAST($13 AS VARCHAR)))
      ) AS t2
      GROUP BY 1
    ) AS t3
  ) AS t4
) AS t5
ORDER BY "Period" ASC NULLS FIRST
LIMIT CAST($14 AS BIGINT);
