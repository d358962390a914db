SELECT *
FROM (
  SELECT "UserId", "Name", "Country", "n", "Name2"
  FROM (
    SELECT t1."UserId", t1."Name", t1."Country", t1."UserId1", t1."n", t2."Name2"
    FROM (
      SELECT t3."UserId", t3."Name", t3."Country", t3."UserId1", t3."n"
      FROM (
        SELECT t5."UserId", t5."Name", t5."Country", t6."UserId" AS "UserId1", t6."n"
        FROM (
          SELECT "UserId", "Name", "Country"
          FROM "Users"
        ) AS t5
        LEFT JOIN (
          SELECT "UserId", count(*) AS "n"
          FROM "Events"
          GROUP BY 1
        ) AS t6 ON t5."UserId" = t6."UserId"
      ) AS t3
      ANTI JOIN (
        SELECT "UserId"
        FROM (
          SELECT *
          FROM "Events"
          WHERE ("Value" > CAST($1 AS BIGINT))
        ) AS t7
        GROUP BY 1
      ) AS t4 ON t3."UserId" = t4."UserId"
    ) AS t1
    LEFT JOIN (
      SELECT "UserId", "Name" AS "Name2"
      FROM "Users"
    ) AS t2 ON t1."UserId" = t2."UserId"
  ) AS t8
) AS t9
ORDER BY "UserId" ASC NULLS FIRST;
-- parameters: ["90n"]
