SELECT "UserId", "s"
FROM (
  SELECT *
  FROM (
    SELECT "UserId", "Name", "Country", (CASE WHEN (((("UserId" % CAST($1 AS BIGINT)) + abs(CAST($1 AS BIGINT))) % abs(CAST($1 AS BIGINT))) = CAST($2 AS BIGINT)) THEN CAST(NULL AS DOUBLE) ELSE ("UserId" * CAST($3 AS DOUBLE)) END) AS "s"
    FROM "Users"
  ) AS t1
  ORDER BY (CASE WHEN "s" IS NULL THEN NULL WHEN isnan("s") THEN 0 ELSE 1 END) DESC NULLS LAST, "s" DESC NULLS LAST
  LIMIT CAST($4 AS BIGINT)
) AS t2;
-- parameters: ["7n","0n",1.5,"4n"]

SELECT "s"
FROM (
  SELECT *
  FROM (
    SELECT "UserId", "Name", "Country", (CASE WHEN (((("UserId" % CAST($1 AS BIGINT)) + abs(CAST($1 AS BIGINT))) % abs(CAST($1 AS BIGINT))) = CAST($2 AS BIGINT)) THEN CAST(NULL AS DOUBLE) ELSE ("UserId" * CAST($3 AS DOUBLE)) END) AS "s"
    FROM "Users"
  ) AS t1
  ORDER BY (CASE WHEN "s" IS NULL THEN NULL WHEN isnan("s") THEN 0 ELSE 1 END) ASC NULLS FIRST, "s" ASC NULLS FIRST
  LIMIT CAST($4 AS BIGINT)
) AS t2;
-- parameters: ["7n","0n",1.5,"5n"]
