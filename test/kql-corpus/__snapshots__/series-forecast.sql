SELECT "slope", "forecast"
FROM (
  SELECT "slope", to_json(struct_extract(kql_decompose(kql_series("v"), CAST($1 AS BIGINT), CAST($2 AS VARCHAR), CAST($3 AS BIGINT)), CAST($4 AS VARCHAR))) AS "forecast", to_json(struct_extract(kql_decompose(kql_series("v"), CAST($5 AS BIGINT), CAST($6 AS VARCHAR), CAST($7 AS BIGINT)), CAST($8 AS VARCHAR))) AS "series_decompose_forecast_v_seasonal", to_json(struct_extract(kql_decompose(kql_series("v"), CAST($9 AS BIGINT), CAST($10 AS VARCHAR), CAST($11 AS BIGINT)), CAST($12 AS VARCHAR))) AS "series_decompose_forecast_v_trend", to_json(struct_extract(kql_decompose(kql_series("v"), CAST($13 AS BIGINT), CAST($14 AS VARCHAR), CAST($15 AS BIGINT)), CAST($16 AS VARCHAR))) AS "series_decompose_forecast_v_residual"
  FROM (
    SELECT "v", "Ts", struct_extract(kql_fit_line(kql_series("v")), CAST($17 AS VARCHAR)) AS "rsquare", struct_extract(kql_fit_line(kql_series("v")), CAST($18 AS VARCHAR)) AS "slope", struct_extract(kql_fit_line(kql_series("v")), CAST($19 AS VARCHAR)) AS "series_fit_line_v_variance", struct_extract(kql_fit_line(kql_series("v")), CAST($20 AS VARCHAR)) AS "series_fit_line_v_rvariance", struct_extract(kql_fit_line(kql_series("v")), CAST($21 AS VARCHAR)) AS "series_fit_line_v_interception", struct_extract(kql_fit_line(kql_series("v")), CAST($22 AS VARCHAR)) AS "series_fit_line_v_line_fit"
    FROM (
      SELECT to_json(list_transform(range(0, CAST(ceil((epoch_us(CAST($24 AS TIMESTAMP)) - epoch_us(CAST($23 AS TIMESTAMP))) / epoch_us(to_microseconds(CAST($25 AS BIGINT)))) AS BIGINT)), i -> coalesce("v"[i], CAST($26 AS BIGINT)))) AS "v", to_json(list_transform(range(0, CAST(ceil((epoch_us(CAST($24 AS TIMESTAMP)) - epoch_us(CAST($23 AS TIMESTAMP))) / epoch_us(to_microseconds(CAST($25 AS BIGINT)))) AS BIGINT)), i -> kql_datetime_string(make_timestamp(epoch_us(CAST($23 AS TIMESTAMP)) + i * epoch_us(to_microseconds(CAST($25 AS BIGINT))))))) AS "Ts"
      FROM (
        SELECT map(list("__bin"), list("v")) AS "v"
        FROM (
          SELECT CAST(floor((epoch_us("Ts") - epoch_us(CAST($23 AS TIMESTAMP))) / epoch_us(to_microseconds(CAST($25 AS BIGINT)))) AS BIGINT) AS "__bin", CAST(sum("Value") AS BIGINT) AS "v"
          FROM "Events"
          WHERE "Ts" >= CAST($23 AS TIMESTAMP) AND "Ts" < CAST($24 AS TIMESTAMP)
          GROUP BY 1
        ) AS t1
        HAVING count(*) > 0
      ) AS t2
    ) AS t3
  ) AS t4
) AS t5;
-- parameters: ["4n","linefit","2n","baseline","4n","linefit","2n","seasonal","4n","linefit","2n","trend","4n","linefit","2n","residual","rsquare","slope","variance","rvariance","interception","line_fit","2024-01-01 00:00:00.000000","2024-01-04 00:00:00.000000","21600000000n","0n"]
