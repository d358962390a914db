SELECT *
FROM (
  SELECT "Kind", CAST(sum("scaled") AS BIGINT) AS "total", CAST(sum("scaled3") AS BIGINT) AS "total3"
  FROM (
    SELECT "Ts", "UserId", "Kind", "Region", "Value", "Score", "Path", "Props", ("Value" * CAST($1 AS BIGINT)) AS "scaled", ("Value" * CAST($2 AS BIGINT)) AS "scaled3"
    FROM (
      SELECT *
      FROM "Events"
      WHERE ("Value" >= CAST($3 AS BIGINT))
    ) AS t1
  ) AS t2
  GROUP BY 1
) AS t3
ORDER BY "Kind" ASC NULLS FIRST;
-- parameters: ["2n","3n","50n"]
