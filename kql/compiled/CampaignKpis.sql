-- functions/CampaignKpis.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, lookback:timespan = 7d, binSize:timespan = 1d, campaignId:string = '');
-- CampaignKpis(tenantId, lookback, binSize, campaignId)
-- | take 5001

SELECT *
FROM (
  SELECT "CampaignId", "Period", "Impressions", "Clicks", "Orders", "Ctr", "ConversionRate", round("Revenue", CAST(CAST($1 AS BIGINT) AS INTEGER)) AS "Revenue", round("Spend", CAST(CAST($2 AS BIGINT) AS INTEGER)) AS "Spend", "Roas"
  FROM (
    SELECT "CampaignId", "Period", "Impressions", "Clicks", "Orders", "Revenue", "Spend", "Ctr", "ConversionRate", (CASE WHEN ("Spend" = CAST($3 AS DOUBLE)) THEN CAST(NULL AS DOUBLE) ELSE round(("Revenue" / "Spend"), CAST(CAST($4 AS BIGINT) AS INTEGER)) END) AS "Roas"
    FROM (
      SELECT "CampaignId", "Period", "Impressions", "Clicks", "Orders", "Revenue", "Spend", "Ctr", (CASE WHEN ("Clicks" = CAST($5 AS BIGINT)) THEN CAST($6 AS DOUBLE) ELSE round((TRY_CAST("Orders" AS DOUBLE) / "Clicks"), CAST(CAST($7 AS BIGINT) AS INTEGER)) END) AS "ConversionRate"
      FROM (
        SELECT "CampaignId", "Period", "Impressions", "Clicks", "Orders", "Revenue", "Spend", (CASE WHEN ("Impressions" = CAST($8 AS BIGINT)) THEN CAST($9 AS DOUBLE) ELSE round((TRY_CAST("Clicks" AS DOUBLE) / "Impressions"), CAST(CAST($10 AS BIGINT) AS INTEGER)) END) AS "Ctr"
        FROM (
          SELECT "CampaignId", "Period", CAST(sum("Impressions") AS BIGINT) AS "Impressions", CAST(sum("Clicks") AS BIGINT) AS "Clicks", CAST(sum("Orders") AS BIGINT) AS "Orders", sum("Revenue") AS "Revenue", sum("Spend") AS "Spend"
          FROM (
            SELECT "CampaignId", "Period", "Impressions", "Clicks", "Orders", "Revenue", "Spend"
            FROM (
              SELECT "CampaignId", kql_bin_datetime("OccurredAt", CAST($11 AS BIGINT)) AS "Period", CAST($12 AS BIGINT) AS "Impressions", CAST($13 AS BIGINT) AS "Clicks", CAST($14 AS BIGINT) AS "Orders", CAST($15 AS DOUBLE) AS "Revenue", "Cost" AS "Spend"
              FROM (
                SELECT *
                FROM "CampaignImpressions"
                WHERE ((("TenantId" = CAST($16 AS VARCHAR)) AND ("OccurredAt" >= (CAST($17 AS BIGINT) - CAST($18 AS BIGINT)))) AND ((CAST($19 AS VARCHAR) IS NULL OR CAST($19 AS VARCHAR) = '') OR ("CampaignId" = CAST($20 AS VARCHAR))))
              ) AS t1
            ) AS t2
            UNION ALL
            SELECT "CampaignId", "Period", "Impressions", "Clicks", "Orders", "Revenue", "Spend"
            FROM (
              SELECT "CampaignId", kql_bin_datetime("OccurredAt", CAST($21 AS BIGINT)) AS "Period", CAST($22 AS BIGINT) AS "Impressions", CAST($23 AS BIGINT) AS "Clicks", CAST($24 AS BIGINT) AS "Orders", CAST($25 AS DOUBLE) AS "Revenue", "Cost" AS "Spend"
              FROM (
                SELECT *
                FROM "CampaignClicks"
                WHERE ((("TenantId" = CAST($26 AS VARCHAR)) AND ("OccurredAt" >= (CAST($27 AS BIGINT) - CAST($28 AS BIGINT)))) AND ((CAST($29 AS VARCHAR) IS NULL OR CAST($29 AS VARCHAR) = '') OR ("CampaignId" = CAST($30 AS VARCHAR))))
              ) AS t3
            ) AS t4
            UNION ALL
            SELECT "CampaignId", "Period", "Impressions", "Clicks", "Orders", "Revenue", "Spend"
            FROM (
              SELECT "CampaignId", kql_bin_datetime("OccurredAt", CAST($31 AS BIGINT)) AS "Period", CAST($32 AS BIGINT) AS "Impressions", CAST($33 AS BIGINT) AS "Clicks", CAST($34 AS BIGINT) AS "Orders", "TotalAmount" AS "Revenue", CAST($35 AS DOUBLE) AS "Spend"
              FROM (
                SELECT *
                FROM (
                  SELECT *
                  FROM "Orders"
                  WHERE (((("TenantId" = CAST($36 AS VARCHAR)) AND ("OccurredAt" >= (CAST($37 AS BIGINT) - CAST($38 AS BIGINT)))) AND ("Status" = CAST($39 AS VARCHAR))) AND ("CampaignId" IS NOT NULL AND "CampaignId" <> ''))
                ) AS t5
                WHERE ((CAST($40 AS VARCHAR) IS NULL OR CAST($40 AS VARCHAR) = '') OR ("CampaignId" = CAST($41 AS VARCHAR)))
              ) AS t6
            ) AS t7
          ) AS t8
          GROUP BY 1, 2
        ) AS t9
      ) AS t10
    ) AS t11
  ) AS t12
) AS t13
ORDER BY "CampaignId" ASC NULLS FIRST, "Period" ASC NULLS FIRST
LIMIT CAST($42 AS BIGINT);
