-- functions/PaymentFailureRate.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, lookback:timespan = 24h, binSize:timespan = 1h, method:string = '');
-- PaymentFailureRate(tenantId, lookback, binSize, method)
-- | take 2001

SELECT *
FROM (
  SELECT "Period", "Method", "Attempts", "Declines", "FailureRate", round("DeclinedAmount", CAST(CAST($1 AS BIGINT) AS INTEGER)) AS "DeclinedAmount"
  FROM (
    SELECT "Period", "Method", "Attempts", "Declines", "DeclinedAmount", round((TRY_CAST("Declines" AS DOUBLE) / "Attempts"), CAST(CAST($2 AS BIGINT) AS INTEGER)) AS "FailureRate"
    FROM (
      SELECT kql_bin_datetime("OccurredAt", CAST($3 AS BIGINT)) AS "Period", "Method", count(*) AS "Attempts", count(*) FILTER (WHERE ("Status" = CAST($4 AS VARCHAR))) AS "Declines", sum("Amount") FILTER (WHERE ("Status" = CAST($5 AS VARCHAR))) AS "DeclinedAmount"
      FROM (
        SELECT *
        FROM (
          SELECT *
          FROM (
            SELECT *
            FROM "Payments"
            WHERE (("TenantId" = CAST($6 AS VARCHAR)) AND ("OccurredAt" >= (CAST($7 AS BIGINT) - CAST($8 AS BIGINT))))
          ) AS t1
          WHERE ("Status" IN (CAST($9 AS VARCHAR), CAST($10 AS VARCHAR)))
        ) AS t2
        WHERE ((CAST($11 AS VARCHAR) IS NULL OR CAST($11 AS VARCHAR) = '') OR ("Method" = CAST($12 AS VARCHAR)))
      ) AS t3
      GROUP BY 1, 2
    ) AS t4
  ) AS t5
) AS t6
ORDER BY "Period" ASC NULLS FIRST, "Method" ASC NULLS FIRST
LIMIT CAST($13 AS BIGINT);
