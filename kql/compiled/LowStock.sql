-- functions/LowStock.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, threshold:long = 20, warehouse:string = '');
-- LowStock(tenantId, threshold, warehouse)
-- | take 2001

SELECT *
FROM (
  SELECT "Sku", "Warehouse", "OnHandAfter" AS "OnHand", "MovementType" AS "LastMovementType", "OccurredAt" AS "LastMovementAt"
  FROM (
    SELECT *
    FROM (
      SELECT "Sku", "Warehouse", struct_extract("__arg_max_0", 'f1') AS "OccurredAt", struct_extract("__arg_max_0", 'f2') AS "OnHandAfter", struct_extract("__arg_max_0", 'f3') AS "MovementType"
      FROM (
        SELECT "Sku", "Warehouse", coalesce(arg_max(struct_pack("f1" := "OccurredAt", "f2" := "OnHandAfter", "f3" := "MovementType"), "OccurredAt"), any_value(struct_pack("f1" := "OccurredAt", "f2" := "OnHandAfter", "f3" := "MovementType"))) AS "__arg_max_0"
        FROM (
          SELECT *
          FROM (
            SELECT *
            FROM "InventoryMovements"
            WHERE ("TenantId" = CAST($1 AS VARCHAR))
          ) AS t1
          WHERE ((CAST($2 AS VARCHAR) IS NULL OR CAST($2 AS VARCHAR) = '') OR ("Warehouse" = CAST($3 AS VARCHAR)))
        ) AS t2
        GROUP BY 1, 2
      ) AS t3
    ) AS t4
    WHERE ("OnHandAfter" <= CAST($4 AS BIGINT))
  ) AS t5
) AS t6
ORDER BY "OnHand" ASC NULLS FIRST, "Sku" ASC NULLS FIRST, "Warehouse" ASC NULLS FIRST
LIMIT CAST($5 AS BIGINT);
