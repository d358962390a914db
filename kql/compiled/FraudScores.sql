-- functions/FraudScores.kql: the gateway's query, compiled by the embedded engine
-- declare query_parameters(tenantId:string, lookback:timespan = 1h, velocityThreshold:long = 5, zScoreThreshold:real = 3.0, minScore:real = 0.0, maxAccounts:long = 100);
-- FraudScores(tenantId, lookback, velocityThreshold, zScoreThreshold, minScore, maxAccounts)
-- | take 1001

SELECT *
FROM (
  SELECT *
  FROM (
    SELECT "AccountId", "CustomerId", "RiskScore", "RiskLevel", "Attempts", "Declines", "TotalAmount", "MaxAmount", round("AmountZScore", CAST(CAST($1 AS BIGINT) AS INTEGER)) AS "AmountZScore", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen"
    FROM (
      SELECT *
      FROM (
        SELECT "AccountId", "CustomerId", "Attempts", "Declines", "TotalAmount", "MaxAmount", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen", "AccountId1", "BaselineAvg", "BaselineStdev", "AmountZScore", "VelocityRisk", "AmountRisk", "SpreadRisk", "DeclineRisk", "RiskScore", (CASE WHEN ("RiskScore" >= CAST($2 AS DOUBLE)) THEN CAST($3 AS VARCHAR) WHEN ("RiskScore" >= CAST($4 AS DOUBLE)) THEN CAST($5 AS VARCHAR) ELSE CAST($6 AS VARCHAR) END) AS "RiskLevel"
        FROM (
          SELECT "AccountId", "CustomerId", "Attempts", "Declines", "TotalAmount", "MaxAmount", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen", "AccountId1", "BaselineAvg", "BaselineStdev", "AmountZScore", "VelocityRisk", "AmountRisk", "SpreadRisk", "DeclineRisk", round(((((CAST($7 AS DOUBLE) * "VelocityRisk") + (CAST($8 AS DOUBLE) * "AmountRisk")) + (CAST($9 AS DOUBLE) * "SpreadRisk")) + (CAST($10 AS DOUBLE) * "DeclineRisk")), CAST(CAST($11 AS BIGINT) AS INTEGER)) AS "RiskScore"
          FROM (
            SELECT "AccountId", "CustomerId", "Attempts", "Declines", "TotalAmount", "MaxAmount", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen", "AccountId1", "BaselineAvg", "BaselineStdev", "AmountZScore", "VelocityRisk", "AmountRisk", "SpreadRisk", (TRY_CAST("Declines" AS DOUBLE) / "Attempts") AS "DeclineRisk"
            FROM (
              SELECT "AccountId", "CustomerId", "Attempts", "Declines", "TotalAmount", "MaxAmount", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen", "AccountId1", "BaselineAvg", "BaselineStdev", "AmountZScore", "VelocityRisk", "AmountRisk", least(CAST($12 AS DOUBLE), (TRY_CAST(((("IpCountries" + "CardCountries") + "Devices") - CAST($13 AS BIGINT)) AS DOUBLE) / CAST($14 AS DOUBLE))) AS "SpreadRisk"
              FROM (
                SELECT "AccountId", "CustomerId", "Attempts", "Declines", "TotalAmount", "MaxAmount", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen", "AccountId1", "BaselineAvg", "BaselineStdev", "AmountZScore", "VelocityRisk", least(CAST($15 AS DOUBLE), (abs("AmountZScore") / CAST($16 AS DOUBLE))) AS "AmountRisk"
                FROM (
                  SELECT "AccountId", "CustomerId", "Attempts", "Declines", "TotalAmount", "MaxAmount", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen", "AccountId1", "BaselineAvg", "BaselineStdev", "AmountZScore", least(CAST($17 AS DOUBLE), (TRY_CAST("Attempts" AS DOUBLE) / CAST($18 AS BIGINT))) AS "VelocityRisk"
                  FROM (
                    SELECT "AccountId", "CustomerId", "Attempts", "Declines", "TotalAmount", "MaxAmount", "IpCountries", "CardCountries", "Devices", "FirstSeen", "LastSeen", "AccountId1", "BaselineAvg", "BaselineStdev", (CASE WHEN (("BaselineStdev" IS NULL) OR ("BaselineStdev" = CAST($19 AS DOUBLE))) THEN CAST($20 AS DOUBLE) ELSE (("MaxAmount" - "BaselineAvg") / "BaselineStdev") END) AS "AmountZScore"
                    FROM (
                      SELECT t1."AccountId", t1."CustomerId", t1."Attempts", t1."Declines", t1."TotalAmount", t1."MaxAmount", t1."IpCountries", t1."CardCountries", t1."Devices", t1."FirstSeen", t1."LastSeen", t2."AccountId" AS "AccountId1", t2."BaselineAvg", t2."BaselineStdev"
                      FROM (
                        SELECT "AccountId", any_value("CustomerId") AS "CustomerId", count(*) AS "Attempts", count(*) FILTER (WHERE ("Status" = CAST($21 AS VARCHAR))) AS "Declines", sum("Amount") AS "TotalAmount", max("Amount") AS "MaxAmount", count(DISTINCT "IpCountry") AS "IpCountries", count(DISTINCT "CardCountry") AS "CardCountries", count(DISTINCT "DeviceId") AS "Devices", min("OccurredAt") AS "FirstSeen", max("OccurredAt") AS "LastSeen"
                        FROM (
                          SELECT *
                          FROM (
                            SELECT *
                            FROM "Payments"
                            WHERE (("TenantId" = CAST($22 AS VARCHAR)) AND ("OccurredAt" >= (CAST($23 AS BIGINT) - CAST($24 AS BIGINT))))
                          ) AS t3
                          WHERE ("Status" IN (CAST($25 AS VARCHAR), CAST($26 AS VARCHAR)))
                        ) AS t4
                        GROUP BY 1
                      ) AS t1
                      LEFT JOIN (
                        SELECT "AccountId", avg("Amount") AS "BaselineAvg", stddev_samp("Amount") AS "BaselineStdev"
                        FROM (
                          SELECT *
                          FROM (
                            SELECT *
                            FROM "Payments"
                            WHERE (("TenantId" = CAST($27 AS VARCHAR)) AND ("Status" = CAST($28 AS VARCHAR)))
                          ) AS t5
                          WHERE ("OccurredAt" BETWEEN (CAST($29 AS BIGINT) - CAST($30 AS BIGINT)) AND (CAST($31 AS BIGINT) - CAST($32 AS BIGINT)))
                        ) AS t6
                        GROUP BY 1
                      ) AS t2 ON t1."AccountId" = t2."AccountId"
                    ) AS t7
                  ) AS t8
                ) AS t9
              ) AS t10
            ) AS t11
          ) AS t12
        ) AS t13
      ) AS t14
      WHERE ("RiskScore" >= CAST($33 AS DOUBLE))
    ) AS t15
  ) AS t16
  ORDER BY (CASE WHEN "RiskScore" IS NULL THEN NULL WHEN isnan("RiskScore") THEN 0 ELSE 1 END) DESC NULLS LAST, "RiskScore" DESC NULLS LAST, "AccountId" ASC NULLS FIRST
  LIMIT CAST($34 AS BIGINT)
) AS t17
LIMIT CAST($35 AS BIGINT);
