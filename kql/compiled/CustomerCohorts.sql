-- functions/CustomerCohorts.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, cohortWeeks:long = 8);
-- CustomerCohorts(tenantId, cohortWeeks)
-- | take 1001

SELECT *
FROM (
  SELECT "CohortWeek", "WeekOffset", "CohortSize", "ActiveCustomers", round((TRY_CAST("ActiveCustomers" AS DOUBLE) / "CohortSize"), CAST(CAST($1 AS BIGINT) AS INTEGER)) AS "Retention", "Orders", round("Revenue", CAST(CAST($2 AS BIGINT) AS INTEGER)) AS "Revenue"
  FROM (
    SELECT t1."CohortWeek", t1."WeekOffset", t1."ActiveCustomers", t1."Orders", t1."Revenue", t2."CohortWeek" AS "CohortWeek1", t2."CohortSize"
    FROM (
      SELECT "CohortWeek", "WeekOffset", count(DISTINCT "CustomerId") AS "ActiveCustomers", count(*) AS "Orders", sum("TotalAmount") AS "Revenue"
      FROM (
        SELECT "TenantId", "OrderId", "CustomerId", "AccountId", "Status", "Channel", "Currency", "TotalAmount", "ItemCount", "ShippingCountry", "CampaignId", "ClickId", "Reason", "OccurredAt", "MessageId", "CustomerId1", "SignupAt", "CohortWeek", TRY_CAST(trunc(((kql_startofweek("OccurredAt", 0) - "CohortWeek") / CAST($3 AS BIGINT))) AS INTEGER) AS "WeekOffset"
        FROM (
          SELECT t3."TenantId", t3."OrderId", t3."CustomerId", t3."AccountId", t3."Status", t3."Channel", t3."Currency", t3."TotalAmount", t3."ItemCount", t3."ShippingCountry", t3."CampaignId", t3."ClickId", t3."Reason", t3."OccurredAt", t3."MessageId", t4."CustomerId" AS "CustomerId1", t4."SignupAt", t4."CohortWeek"
          FROM (
            SELECT *
            FROM "Orders"
            WHERE ((("TenantId" = CAST($4 AS VARCHAR)) AND ("Status" = CAST($5 AS VARCHAR))) AND ("OccurredAt" >= (kql_startofweek(CAST($6 AS BIGINT), 0) - (CAST($7 AS BIGINT) * CAST($8 AS BIGINT)))))
          ) AS t3
          INNER JOIN (
            SELECT "CustomerId", "SignupAt", kql_startofweek("SignupAt", 0) AS "CohortWeek"
            FROM (
              SELECT *
              FROM (
                SELECT "CustomerId", min("OccurredAt") AS "SignupAt"
                FROM (
                  SELECT *
                  FROM "Customers"
                  WHERE (("TenantId" = CAST($9 AS VARCHAR)) AND ("EventType" = CAST($10 AS VARCHAR)))
                ) AS t5
                GROUP BY 1
              ) AS t6
              WHERE ("SignupAt" >= (kql_startofweek(CAST($11 AS BIGINT), 0) - (CAST($12 AS BIGINT) * CAST($13 AS BIGINT))))
            ) AS t7
          ) AS t4 ON t3."CustomerId" = t4."CustomerId"
        ) AS t8
      ) AS t9
      GROUP BY 1, 2
    ) AS t1
    INNER JOIN (
      SELECT "CohortWeek", count(DISTINCT "CustomerId") AS "CohortSize"
      FROM (
        SELECT "CustomerId", "SignupAt", kql_startofweek("SignupAt", 0) AS "CohortWeek"
        FROM (
          SELECT *
          FROM (
            SELECT "CustomerId", min("OccurredAt") AS "SignupAt"
            FROM (
              SELECT *
              FROM "Customers"
              WHERE (("TenantId" = CAST($14 AS VARCHAR)) AND ("EventType" = CAST($15 AS VARCHAR)))
            ) AS t10
            GROUP BY 1
          ) AS t11
          WHERE ("SignupAt" >= (kql_startofweek(CAST($16 AS BIGINT), 0) - (CAST($17 AS BIGINT) * CAST($18 AS BIGINT))))
        ) AS t12
      ) AS t13
      GROUP BY 1
    ) AS t2 ON t1."CohortWeek" = t2."CohortWeek"
  ) AS t14
) AS t15
ORDER BY "CohortWeek" ASC NULLS FIRST, "WeekOffset" ASC NULLS FIRST
LIMIT CAST($19 AS BIGINT);
