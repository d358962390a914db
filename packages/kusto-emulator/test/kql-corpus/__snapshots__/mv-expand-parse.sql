SELECT *
FROM (
  SELECT "UserId", "Resource", "Id", "i", "tag"
  FROM (
    SELECT "Ts", "UserId", "Kind", "Region", "Value", "Score", "Path", "Props", "Resource", "Id", json_extract_string("__mv0", '$') AS "tag", "i"
    FROM (
      SELECT "Ts", "UserId", "Kind", "Region", "Value", "Score", "Path", "Props", "Resource", "Id", unnest(kql_mv_items(json_extract("Props", CAST($1 AS VARCHAR)))) AS "__mv0", unnest(range(0, greatest(len(kql_mv_items(json_extract("Props", CAST($2 AS VARCHAR))))))) AS "i"
      FROM (
        SELECT "Ts", "UserId", "Kind", "Region", "Value", "Score", "Path", "Props", (CASE WHEN coalesce(regexp_matches("Path", CAST($3 AS VARCHAR)), false) THEN coalesce(regexp_extract("Path", CAST($4 AS VARCHAR), CAST(1 AS INTEGER)), '') ELSE CAST($5 AS VARCHAR) END) AS "Resource", (CASE WHEN coalesce(regexp_matches("Path", CAST($6 AS VARCHAR)), false) THEN coalesce(TRY_CAST(coalesce(regexp_extract("Path", CAST($7 AS VARCHAR), CAST(2 AS INTEGER)), '') AS BIGINT), TRY_CAST(trunc(TRY_CAST(coalesce(regexp_extract("Path", CAST($7 AS VARCHAR), CAST(2 AS INTEGER)), '') AS DOUBLE)) AS BIGINT)) ELSE CAST(NULL AS BIGINT) END) AS "Id"
        FROM (
          SELECT *
          FROM "Events"
          WHERE ("Path" IS NOT NULL AND "Path" <> '')
        ) AS t1
      ) AS t2
    ) AS t3
  ) AS t4
) AS t5
ORDER BY "UserId" ASC NULLS FIRST, "i" ASC NULLS FIRST
LIMIT CAST($8 AS BIGINT);
-- parameters: ["$.\"tags\"","$.\"tags\"","^/api/(.*?)/(-?\\d+)","^/api/(.*?)/(-?\\d+)","","^/api/(.*?)/(-?\\d+)","^/api/(.*?)/(-?\\d+)","8n"]
