SELECT *
FROM (
  SELECT "Region", to_json(list_transform(range(0, CAST(ceil((epoch_us(CAST($2 AS TIMESTAMP)) - epoch_us(CAST($1 AS TIMESTAMP))) / epoch_us(to_microseconds(CAST($3 AS BIGINT)))) AS BIGINT)), i -> coalesce("n"[i], CAST($4 AS BIGINT)))) AS "n", to_json(list_transform(range(0, CAST(ceil((epoch_us(CAST($2 AS TIMESTAMP)) - epoch_us(CAST($1 AS TIMESTAMP))) / epoch_us(to_microseconds(CAST($3 AS BIGINT)))) AS BIGINT)), i -> coalesce("total"[i], CAST($5 AS BIGINT)))) AS "total", to_json(list_transform(range(0, CAST(ceil((epoch_us(CAST($2 AS TIMESTAMP)) - epoch_us(CAST($1 AS TIMESTAMP))) / epoch_us(to_microseconds(CAST($3 AS BIGINT)))) AS BIGINT)), i -> kql_datetime_string(make_timestamp(epoch_us(CAST($1 AS TIMESTAMP)) + i * epoch_us(to_microseconds(CAST($3 AS BIGINT))))))) AS "Ts"
  FROM (
    SELECT "Region", map(list("__bin"), list("n")) AS "n", map(list("__bin"), list("total")) AS "total"
    FROM (
      SELECT "Region" AS "Region", CAST(floor((epoch_us("Ts") - epoch_us(CAST($1 AS TIMESTAMP))) / epoch_us(to_microseconds(CAST($3 AS BIGINT)))) AS BIGINT) AS "__bin", count(*) AS "n", CAST(sum("Value") AS BIGINT) AS "total"
      FROM "Events"
      WHERE "Ts" >= CAST($1 AS TIMESTAMP) AND "Ts" < CAST($2 AS TIMESTAMP)
      GROUP BY 1, 2
    ) AS t1
    GROUP BY "Region"
  ) AS t2
) AS t3
ORDER BY "Region" ASC NULLS FIRST;
-- parameters: ["2024-01-01 00:00:00.000000","2024-01-03 00:00:00.000000","43200000000n","0n","0n"]
