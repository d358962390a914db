SELECT *
FROM (
  SELECT "UserId", TRY_CAST(trunc(TRY_CAST(json_extract_string(json_extract("Props", CAST($1 AS VARCHAR)), '$') AS DOUBLE)) AS INTEGER) AS "level", coalesce(kql_dynamic_string(json_extract("Props", CAST($2 AS VARCHAR))), '') AS "firstTag", (CASE WHEN json_type(json_extract("Props", CAST($3 AS VARCHAR))) = 'ARRAY' THEN CAST(json_array_length(json_extract("Props", CAST($3 AS VARCHAR))) AS BIGINT) END) AS "n", json_object(CAST($4 AS VARCHAR), to_json("Kind"), CAST($5 AS VARCHAR), to_json("Value")) AS "bag"
  FROM (
    SELECT *
    FROM "Events"
    WHERE (TRY_CAST(json_extract_string(json_extract("Props", CAST($6 AS VARCHAR)), '$') AS DOUBLE) >= CAST($7 AS BIGINT))
  ) AS t1
) AS t2
ORDER BY "UserId" ASC NULLS FIRST
LIMIT CAST($8 AS BIGINT);
-- parameters: ["$.\"level\"","$.\"tags\"[0]","$.\"tags\"","k","v","$.\"level\"","2n","5n"]
