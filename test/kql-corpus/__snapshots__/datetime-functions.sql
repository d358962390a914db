SELECT "t", "day", "week", "month", "next", "gap", kql_datetime_part(CAST($1 AS VARCHAR), "t") AS "hour", coalesce(kql_datetime_string("t"), '') AS "text", strftime("t", CAST($2 AS VARCHAR)) AS "f", (epoch_us("gap") / epoch_us(to_microseconds(CAST($3 AS BIGINT)))) AS "days"
FROM (
  SELECT "t", date_trunc('day', "t") AS "day", (date_trunc('day', "t") - to_days(CAST(dayofweek("t") AS INTEGER))) AS "week", (CAST(date_trunc('month', "t") AS TIMESTAMP) + INTERVAL 1 MONTH - INTERVAL 1 MICROSECOND) AS "month", (("t" + to_microseconds(CAST($4 AS BIGINT))) + to_microseconds(CAST($5 AS BIGINT))) AS "next", (CAST($6 AS TIMESTAMP) - "t") AS "gap"
  FROM (
    SELECT CAST($7 AS TIMESTAMP) AS "t"
    FROM (
      SELECT 1 AS "__row"
    ) AS t1
  ) AS t2
) AS t3;
-- parameters: ["hour","%Y-%m-%d %H:%M","86400000000n","86400000000n","7200000000n","2024-03-01 00:00:00.000000","2024-02-29 13:45:10.500000"]
