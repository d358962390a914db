-- functions/CustomerOrders.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, customerId:string, maxOrders:long = 20);
-- CustomerOrders(tenantId, customerId, maxOrders)
-- | take 201

SELECT *
FROM (
  SELECT "OrderId", "OccurredAt" AS "LastUpdatedAt", "Status" AS "OrderStatus", "Channel", "Currency", "TotalAmount", "ItemCount", "PaymentStatus", "DeclineReason", "ShipmentStatus", "Carrier", "PromisedAt", "DeliveredAt"
  FROM (
    SELECT t1."OrderId", t1."OccurredAt", t1."Status", t1."Channel", t1."Currency", t1."TotalAmount", t1."ItemCount", t1."OrderId1", t1."PaymentStatus", t1."DeclineReason", t2."OrderId" AS "OrderId2", t2."ShipmentStatus", t2."Carrier", t2."PromisedAt", t2."DeliveredAt"
    FROM (
      SELECT t3."OrderId", t3."OccurredAt", t3."Status", t3."Channel", t3."Currency", t3."TotalAmount", t3."ItemCount", t4."OrderId" AS "OrderId1", t4."PaymentStatus", t4."DeclineReason"
      FROM (
        SELECT *
        FROM (
          SELECT "OrderId", struct_extract("__arg_max_0", 'f1') AS "OccurredAt", struct_extract("__arg_max_0", 'f2') AS "Status", struct_extract("__arg_max_0", 'f3') AS "Channel", struct_extract("__arg_max_0", 'f4') AS "Currency", struct_extract("__arg_max_0", 'f5') AS "TotalAmount", struct_extract("__arg_max_0", 'f6') AS "ItemCount"
          FROM (
            SELECT "OrderId", coalesce(arg_max(struct_pack("f1" := "OccurredAt", "f2" := "Status", "f3" := "Channel", "f4" := "Currency", "f5" := "TotalAmount", "f6" := "ItemCount"), "OccurredAt"), any_value(struct_pack("f1" := "OccurredAt", "f2" := "Status", "f3" := "Channel", "f4" := "Currency", "f5" := "TotalAmount", "f6" := "ItemCount"))) AS "__arg_max_0"
            FROM (
              SELECT *
              FROM "Orders"
              WHERE (("TenantId" = CAST($1 AS VARCHAR)) AND ("CustomerId" = CAST($2 AS VARCHAR)))
            ) AS t5
            GROUP BY 1
          ) AS t6
        ) AS t7
        ORDER BY "OccurredAt" DESC NULLS LAST
        LIMIT CAST($3 AS BIGINT)
      ) AS t3
      LEFT JOIN (
        SELECT "OrderId", "PaymentStatus", "DeclineReason"
        FROM (
          SELECT "OrderId", struct_extract("__arg_max_0", 'f1') AS "OccurredAt", struct_extract("__arg_max_0", 'f2') AS "PaymentStatus", struct_extract("__arg_max_0", 'f3') AS "DeclineReason"
          FROM (
            SELECT "OrderId", coalesce(arg_max(struct_pack("f1" := "OccurredAt", "f2" := "Status", "f3" := "DeclineReason"), "OccurredAt"), any_value(struct_pack("f1" := "OccurredAt", "f2" := "Status", "f3" := "DeclineReason"))) AS "__arg_max_0"
            FROM (
              SELECT *
              FROM "Payments"
              WHERE (("TenantId" = CAST($4 AS VARCHAR)) AND ("CustomerId" = CAST($5 AS VARCHAR)))
            ) AS t8
            GROUP BY 1
          ) AS t9
        ) AS t10
      ) AS t4 ON t3."OrderId" = t4."OrderId"
    ) AS t1
    LEFT JOIN (
      SELECT "OrderId", "ShipmentStatus", "Carrier", "PromisedAt", "DeliveredAt"
      FROM (
        SELECT "OrderId", struct_extract("__arg_max_0", 'f1') AS "OccurredAt", struct_extract("__arg_max_0", 'f2') AS "ShipmentStatus", struct_extract("__arg_max_0", 'f3') AS "Carrier", struct_extract("__arg_max_0", 'f4') AS "PromisedAt", struct_extract("__arg_max_0", 'f5') AS "DeliveredAt"
        FROM (
          SELECT "OrderId", coalesce(arg_max(struct_pack("f1" := "OccurredAt", "f2" := "Status", "f3" := "Carrier", "f4" := "PromisedAt", "f5" := "DeliveredAt"), "OccurredAt"), any_value(struct_pack("f1" := "OccurredAt", "f2" := "Status", "f3" := "Carrier", "f4" := "PromisedAt", "f5" := "DeliveredAt"))) AS "__arg_max_0"
          FROM (
            SELECT *
            FROM "Shipments"
            WHERE ("TenantId" = CAST($6 AS VARCHAR))
          ) AS t11
          GROUP BY 1
        ) AS t12
      ) AS t13
    ) AS t2 ON t1."OrderId" = t2."OrderId"
  ) AS t14
) AS t15
ORDER BY "LastUpdatedAt" DESC NULLS LAST, "OrderId" ASC NULLS FIRST
LIMIT CAST($7 AS BIGINT);
