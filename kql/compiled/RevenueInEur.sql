-- functions/RevenueInEur.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, lookback:timespan = 30d);
-- RevenueInEur(tenantId, lookback)
-- | take 101

SELECT *
FROM (
  SELECT "Currency", "Orders", round("Revenue", CAST(CAST($1 AS BIGINT) AS INTEGER)) AS "Revenue", round((round("Revenue", CAST(CAST($2 AS BIGINT) AS INTEGER)) * "RateToEur"), CAST(CAST($3 AS BIGINT) AS INTEGER)) AS "RevenueEur"
  FROM (
    SELECT t1."Currency", t1."Orders", t1."Revenue", t2."Currency" AS "Currency1", t2."RateToEur"
    FROM (
      SELECT upper("Currency") AS "Currency", count(*) AS "Orders", sum("TotalAmount") AS "Revenue"
      FROM (
        SELECT *
        FROM "Orders"
        WHERE ((("TenantId" = CAST($4 AS VARCHAR)) AND ("Status" = CAST($5 AS VARCHAR))) AND ("OccurredAt" >= (CAST($6 AS BIGINT) - CAST($7 AS BIGINT))))
      ) AS t3
      GROUP BY 1
    ) AS t1
    LEFT JOIN (
      SELECT "Currency", "RateToEur"
      FROM "external_table:FxRates"
    ) AS t2 ON t1."Currency" = t2."Currency"
  ) AS t4
) AS t5
ORDER BY "Currency" ASC NULLS FIRST
LIMIT CAST($8 AS BIGINT);
