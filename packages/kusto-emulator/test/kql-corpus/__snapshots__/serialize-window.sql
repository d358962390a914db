SELECT "rn", "UserId", "Value", "previous", "following"
FROM (
  SELECT *
  FROM (
    SELECT "Ts", "UserId", "Kind", "Region", "Value", "Score", "Path", "Props", row_number() OVER (ORDER BY "Ts" ASC NULLS FIRST) AS "rn", lag("Value", CAST($1 AS BIGINT)) OVER (ORDER BY "Ts" ASC NULLS FIRST) AS "previous", lead("Value", CAST($2 AS BIGINT), (-CAST($3 AS BIGINT))) OVER (ORDER BY "Ts" ASC NULLS FIRST) AS "following"
    FROM (
      SELECT *
      FROM (
        SELECT *
        FROM "Events"
        WHERE ("UserId" < CAST($4 AS BIGINT))
      ) AS t1
      ORDER BY "Ts" ASC NULLS FIRST
    ) AS t2
  ) AS t3
  ORDER BY "Ts" ASC NULLS FIRST
) AS t4;
-- parameters: ["1n","1n","1n","3n"]
