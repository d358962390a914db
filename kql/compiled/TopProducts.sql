-- functions/TopProducts.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, lookback:timespan = 7d, category:string = '', maxProducts:long = 10);
-- TopProducts(tenantId, lookback, category, maxProducts)
-- | take 501

SELECT *
FROM (
  SELECT *
  FROM (
    SELECT "Sku", "ProductName", "Category", "UnitsSold", "Orders", round("Revenue", CAST(CAST($1 AS BIGINT) AS INTEGER)) AS "Revenue", "AvgUnitPrice"
    FROM (
      SELECT "Sku", "ProductName", "Category", "UnitsSold", "Revenue", "Orders", (CASE WHEN ("UnitsSold" = CAST($2 AS BIGINT)) THEN CAST($3 AS DOUBLE) ELSE round(("Revenue" / "UnitsSold"), CAST(CAST($4 AS BIGINT) AS INTEGER)) END) AS "AvgUnitPrice"
      FROM (
        SELECT "Sku", any_value("ProductName") AS "ProductName", any_value("Category") AS "Category", CAST(sum("Quantity") AS BIGINT) AS "UnitsSold", sum("LineAmount") AS "Revenue", count(DISTINCT "OrderId") AS "Orders"
        FROM (
          SELECT *
          FROM (
            SELECT *
            FROM "OrderLines"
            WHERE (("TenantId" = CAST($5 AS VARCHAR)) AND ("OccurredAt" >= (CAST($6 AS BIGINT) - CAST($7 AS BIGINT))))
          ) AS t1
          WHERE ((CAST($8 AS VARCHAR) IS NULL OR CAST($8 AS VARCHAR) = '') OR ("Category" = CAST($9 AS VARCHAR)))
        ) AS t2
        GROUP BY 1
      ) AS t3
    ) AS t4
  ) AS t5
  ORDER BY (CASE WHEN "Revenue" IS NULL THEN NULL WHEN isnan("Revenue") THEN 0 ELSE 1 END) DESC NULLS LAST, "Revenue" DESC NULLS LAST, "Sku" ASC NULLS FIRST
  LIMIT CAST($10 AS BIGINT)
) AS t6
LIMIT CAST($11 AS BIGINT);
