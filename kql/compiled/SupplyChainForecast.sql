-- functions/SupplyChainForecast.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, historyDays:long = 28, horizonDays:long = 14, sku:string = '', warehouse:string = '');
-- SupplyChainForecast(tenantId, historyDays, horizonDays, sku, warehouse)
-- | take 2001

SELECT *
FROM (
  SELECT "Sku", "Warehouse", "OnHand", "HistoricalDailyDemand", "ForecastDailyDemand", "DaysOfCover", "StockOutDate", "Projected" AS "DailyForecast"
  FROM (
    SELECT "Sku", "Warehouse", "Demand", "OccurredAt", "Forecast", "History", "Projected", "HistoricalDailyDemand", "ForecastDailyDemand", "Sku1", "Warehouse1", "OnHand", "DaysOfCover", (CASE WHEN ("DaysOfCover" IS NULL) THEN CAST(NULL AS BIGINT) ELSE (kql_startofday(CAST($1 AS BIGINT), 0) + CAST("DaysOfCover" * CAST($2 AS BIGINT) AS BIGINT)) END) AS "StockOutDate"
    FROM (
      SELECT "Sku", "Warehouse", "Demand", "OccurredAt", "Forecast", "History", "Projected", "HistoricalDailyDemand", "ForecastDailyDemand", "Sku1", "Warehouse1", "OnHand", (CASE WHEN ("ForecastDailyDemand" <= CAST($3 AS DOUBLE)) THEN CAST(NULL AS DOUBLE) ELSE round(("OnHand" / "ForecastDailyDemand"), CAST(CAST($4 AS BIGINT) AS INTEGER)) END) AS "DaysOfCover"
      FROM (
        SELECT t1."Sku", t1."Warehouse", t1."Demand", t1."OccurredAt", t1."Forecast", t1."History", t1."Projected", t1."HistoricalDailyDemand", t1."ForecastDailyDemand", t2."Sku" AS "Sku1", t2."Warehouse" AS "Warehouse1", t2."OnHand"
        FROM (
          SELECT "Sku", "Warehouse", "Demand", "OccurredAt", "Forecast", "History", "Projected", "HistoricalDailyDemand", round(greatest(CAST($5 AS DOUBLE), TRY_CAST(json_extract_string(json_extract(to_json(struct_insert(kql_stats(kql_series("Projected")), sum := list_sum(kql_series("Projected")), len := CAST(len(kql_series("Projected")) AS BIGINT))), CAST($6 AS VARCHAR)), '$') AS DOUBLE)), CAST(CAST($7 AS BIGINT) AS INTEGER)) AS "ForecastDailyDemand"
          FROM (
            SELECT "Sku", "Warehouse", "Demand", "OccurredAt", "Forecast", "History", "Projected", round(TRY_CAST(json_extract_string(json_extract(to_json(struct_insert(kql_stats(kql_series("History")), sum := list_sum(kql_series("History")), len := CAST(len(kql_series("History")) AS BIGINT))), CAST($8 AS VARCHAR)), '$') AS DOUBLE), CAST(CAST($9 AS BIGINT) AS INTEGER)) AS "HistoricalDailyDemand"
            FROM (
              SELECT "Sku", "Warehouse", "Demand", "OccurredAt", "Forecast", "History", kql_array_slice("Forecast", CAST((CAST($10 AS BIGINT) + CAST($11 AS BIGINT)) AS BIGINT), CAST((CAST($12 AS BIGINT) + CAST($13 AS BIGINT)) AS BIGINT)) AS "Projected"
              FROM (
                SELECT "Sku", "Warehouse", "Demand", "OccurredAt", "Forecast", kql_array_slice("Demand", CAST(CAST($14 AS BIGINT) AS BIGINT), CAST(CAST($15 AS BIGINT) AS BIGINT)) AS "History"
                FROM (
                  SELECT "Sku", "Warehouse", "Demand", "OccurredAt", to_json(struct_extract(kql_decompose(kql_series("Demand"), CAST($16 AS BIGINT), CAST($17 AS VARCHAR), TRY_CAST(TRY_CAST(CAST($18 AS BIGINT) AS INTEGER) AS BIGINT)), CAST($19 AS VARCHAR))) AS "Forecast"
                  FROM (
                    SELECT "Sku", "Warehouse", to_json(list_transform(range(0, CAST(ceil(((kql_startofday(CAST($23 AS BIGINT), 0) + (CAST($24 AS BIGINT) * CAST($25 AS BIGINT))) - (kql_startofday(CAST($20 AS BIGINT), 0) - (CAST($21 AS BIGINT) * CAST($22 AS BIGINT)))) / CAST($26 AS BIGINT)) AS BIGINT)), i -> coalesce("Demand"[i], CAST($36 AS BIGINT)))) AS "Demand", to_json(list_transform(range(0, CAST(ceil(((kql_startofday(CAST($23 AS BIGINT), 0) + (CAST($24 AS BIGINT) * CAST($25 AS BIGINT))) - (kql_startofday(CAST($20 AS BIGINT), 0) - (CAST($21 AS BIGINT) * CAST($22 AS BIGINT)))) / CAST($26 AS BIGINT)) AS BIGINT)), i -> kql_datetime_string(((kql_startofday(CAST($20 AS BIGINT), 0) - (CAST($21 AS BIGINT) * CAST($22 AS BIGINT))) + i * CAST($26 AS BIGINT))))) AS "OccurredAt"
                    FROM (
                      SELECT "Sku", "Warehouse", map(list("__bin"), list("Demand")) AS "Demand"
                      FROM (
                        SELECT "Sku" AS "Sku", "Warehouse" AS "Warehouse", (("OccurredAt" - (kql_startofday(CAST($20 AS BIGINT), 0) - (CAST($21 AS BIGINT) * CAST($22 AS BIGINT)))) // CAST($26 AS BIGINT)) AS "__bin", CAST(sum("Units") AS BIGINT) AS "Demand"
                        FROM (
                          SELECT "TenantId", "MovementId", "Sku", "Warehouse", "MovementType", "Quantity", "OnHandAfter", "OrderId", "OccurredAt", "MessageId", (-"Quantity") AS "Units"
                          FROM (
                            SELECT *
                            FROM (
                              SELECT *
                              FROM "InventoryMovements"
                              WHERE ((("TenantId" = CAST($27 AS VARCHAR)) AND ("MovementType" = CAST($28 AS VARCHAR))) AND ("OccurredAt" >= (kql_startofday(CAST($29 AS BIGINT), 0) - (CAST($30 AS BIGINT) * CAST($31 AS BIGINT)))))
                            ) AS t3
                            WHERE (((CAST($32 AS VARCHAR) IS NULL OR CAST($32 AS VARCHAR) = '') OR ("Sku" = CAST($33 AS VARCHAR))) AND ((CAST($34 AS VARCHAR) IS NULL OR CAST($34 AS VARCHAR) = '') OR ("Warehouse" = CAST($35 AS VARCHAR))))
                          ) AS t4
                        ) AS t5
                        WHERE "OccurredAt" >= (kql_startofday(CAST($20 AS BIGINT), 0) - (CAST($21 AS BIGINT) * CAST($22 AS BIGINT))) AND "OccurredAt" < (kql_startofday(CAST($23 AS BIGINT), 0) + (CAST($24 AS BIGINT) * CAST($25 AS BIGINT)))
                        GROUP BY 1, 2, 3
                      ) AS t6
                      GROUP BY "Sku", "Warehouse"
                    ) AS t7
                  ) AS t8
                ) AS t9
              ) AS t10
            ) AS t11
          ) AS t12
        ) AS t1
        INNER JOIN (
          SELECT "Sku", "Warehouse", "OnHandAfter" AS "OnHand"
          FROM (
            SELECT "Sku", "Warehouse", struct_extract("__arg_max_0", 'f1') AS "OccurredAt", struct_extract("__arg_max_0", 'f2') AS "OnHandAfter"
            FROM (
              SELECT "Sku", "Warehouse", coalesce(arg_max(struct_pack("f1" := "OccurredAt", "f2" := "OnHandAfter"), "OccurredAt"), any_value(struct_pack("f1" := "OccurredAt", "f2" := "OnHandAfter"))) AS "__arg_max_0"
              FROM (
                SELECT *
                FROM (
                  SELECT *
                  FROM "InventoryMovements"
                  WHERE ("TenantId" = CAST($37 AS VARCHAR))
                ) AS t13
                WHERE (((CAST($38 AS VARCHAR) IS NULL OR CAST($38 AS VARCHAR) = '') OR ("Sku" = CAST($39 AS VARCHAR))) AND ((CAST($40 AS VARCHAR) IS NULL OR CAST($40 AS VARCHAR) = '') OR ("Warehouse" = CAST($41 AS VARCHAR))))
              ) AS t14
              GROUP BY 1, 2
            ) AS t15
          ) AS t16
        ) AS t2 ON t1."Sku" = t2."Sku" AND t1."Warehouse" = t2."Warehouse"
      ) AS t17
    ) AS t18
  ) AS t19
) AS t20
ORDER BY (CASE WHEN "DaysOfCover" IS NULL THEN NULL WHEN isnan("DaysOfCover") THEN 0 ELSE 1 END) ASC NULLS LAST, "DaysOfCover" ASC NULLS LAST, "Sku" ASC NULLS FIRST, "Warehouse" ASC NULLS FIRST
LIMIT CAST($42 AS BIGINT);
