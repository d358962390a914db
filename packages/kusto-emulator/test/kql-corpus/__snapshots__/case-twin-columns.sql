SELECT *
FROM (
  SELECT "region~2", "Region", "n", "N~2", "N1"
  FROM (
    SELECT t1."region~2", t1."Region", t1."n", t1."N~2", t2."Region" AS "Region1", t2."N~2" AS "N1"
    FROM (
      SELECT upper("Region") AS "region~2", "Region", count(*) AS "n", CAST(sum("Value") AS BIGINT) AS "N~2"
      FROM "Events"
      GROUP BY 1, 2
    ) AS t1
    INNER JOIN (
      SELECT "Region", count(DISTINCT "UserId") AS "N~2"
      FROM "Events"
      GROUP BY 1
    ) AS t2 ON t1."Region" = t2."Region"
  ) AS t3
) AS t4
ORDER BY "Region" ASC NULLS FIRST;
-- parameters: []
