-- functions/LateShipments.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, lookback:timespan = 14d, minDelay:timespan = 0s, warehouse:string = '', carrier:string = '');
-- LateShipments(tenantId, lookback, minDelay, warehouse, carrier)
-- | take 2001

SELECT *
FROM (
  SELECT "ShipmentId", "OrderId", "Warehouse", "Carrier", "Status", "PromisedAt", "DispatchedAt", "DeliveredAt", "Delay", round(("Delay" / CAST($1 AS BIGINT)), CAST(CAST($2 AS BIGINT) AS INTEGER)) AS "DelayHours"
  FROM (
    SELECT *
    FROM (
      SELECT "ShipmentId", "OccurredAt", "OrderId", "Warehouse", "Carrier", "Status", "PromisedAt", "DispatchedAt", "DeliveredAt", (CASE WHEN ("Status" = CAST($3 AS VARCHAR)) THEN ("DeliveredAt" - "PromisedAt") ELSE (CAST($4 AS BIGINT) - "PromisedAt") END) AS "Delay"
      FROM (
        SELECT "ShipmentId", struct_extract("__arg_max_0", 'f1') AS "OccurredAt", struct_extract("__arg_max_0", 'f2') AS "OrderId", struct_extract("__arg_max_0", 'f3') AS "Warehouse", struct_extract("__arg_max_0", 'f4') AS "Carrier", struct_extract("__arg_max_0", 'f5') AS "Status", struct_extract("__arg_max_0", 'f6') AS "PromisedAt", struct_extract("__arg_max_0", 'f7') AS "DispatchedAt", struct_extract("__arg_max_0", 'f8') AS "DeliveredAt"
        FROM (
          SELECT "ShipmentId", coalesce(arg_max(struct_pack("f1" := "OccurredAt", "f2" := "OrderId", "f3" := "Warehouse", "f4" := "Carrier", "f5" := "Status", "f6" := "PromisedAt", "f7" := "DispatchedAt", "f8" := "DeliveredAt"), "OccurredAt"), any_value(struct_pack("f1" := "OccurredAt", "f2" := "OrderId", "f3" := "Warehouse", "f4" := "Carrier", "f5" := "Status", "f6" := "PromisedAt", "f7" := "DispatchedAt", "f8" := "DeliveredAt"))) AS "__arg_max_0"
          FROM (
            SELECT *
            FROM (
              SELECT *
              FROM "Shipments"
              WHERE (("TenantId" = CAST($5 AS VARCHAR)) AND ("OccurredAt" >= (CAST($6 AS BIGINT) - CAST($7 AS BIGINT))))
            ) AS t1
            WHERE (((CAST($8 AS VARCHAR) IS NULL OR CAST($8 AS VARCHAR) = '') OR ("Warehouse" = CAST($9 AS VARCHAR))) AND ((CAST($10 AS VARCHAR) IS NULL OR CAST($10 AS VARCHAR) = '') OR ("Carrier" = CAST($11 AS VARCHAR))))
          ) AS t2
          GROUP BY 1
        ) AS t3
      ) AS t4
    ) AS t5
    WHERE ("Delay" > CAST($12 AS BIGINT))
  ) AS t6
) AS t7
ORDER BY "Delay" DESC NULLS LAST, "ShipmentId" ASC NULLS FIRST
LIMIT CAST($13 AS BIGINT);
