SELECT *
FROM (
  SELECT "Source", count(*) AS "rows"
  FROM (
    SELECT CAST($1 AS VARCHAR) AS "Source", "UserId", "Name", "Country"
    FROM "Users"
    UNION ALL
    SELECT CAST($2 AS VARCHAR) AS "Source", "UserId", "Name", CAST(NULL AS VARCHAR) AS "Country"
    FROM (
      SELECT "UserId", "Name"
      FROM (VALUES
        (CAST(CAST($3 AS BIGINT) AS BIGINT), CAST(CAST($4 AS VARCHAR) AS VARCHAR))
      ) AS t1("UserId", "Name")
    ) AS t2
  ) AS t3
  GROUP BY 1
) AS t4
ORDER BY "Source" ASC NULLS FIRST;
-- parameters: ["Users","union_arg1","1000n","extra"]
