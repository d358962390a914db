SELECT "t", "day", "week", "month", "next", "gap", kql_datetime_part(CAST($1 AS VARCHAR), "t") AS "hour", coalesce(kql_datetime_string("t"), '') AS "text", kql_format_datetime("t", CAST($2 AS VARCHAR)) AS "f", ("gap" / CAST($3 AS BIGINT)) AS "days"
FROM (
  SELECT "t", kql_startofday("t", 0) AS "day", kql_startofweek("t", 0) AS "week", (kql_startofmonth("t", 1) - 1) AS "month", (("t" + CAST($4 AS BIGINT)) + CAST($5 AS BIGINT)) AS "next", (CAST($6 AS BIGINT) - "t") AS "gap"
  FROM (
    SELECT CAST($7 AS BIGINT) AS "t"
    FROM (
      SELECT 1 AS "__row"
    ) AS t1
  ) AS t2
) AS t3;
-- parameters: ["hour","%Y-%m-%d %H:%M","864000000000n","864000000000n","72000000000n","638448480000000000n","638448111105000000n"]
