SELECT count(*) AS "Count"
FROM (
  SELECT *
  FROM "Events"
  WHERE ("Value" >= CAST($1 AS BIGINT))
) AS t1;
-- parameters: ["95n"]

SELECT *
FROM (
  SELECT "Country"
  FROM "Users"
  GROUP BY 1
) AS t1
ORDER BY "Country" ASC NULLS FIRST;
-- parameters: []
