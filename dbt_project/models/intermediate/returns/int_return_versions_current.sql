-- The current version of every return table per council and period: the file with the greatest
-- ledger_id that delivered the table, rows or none (a nil return is a version too), and how
-- many rows it delivered. The int_*_latest models keep the rows of these versions
-- (macros/latest_versions.sql); fct_return_submissions shows them. The pipeline keeps a copy of
-- this after each successful build (transform/build_plan.py), so the next build can tell which
-- council-months changed.
with

file_tables as (

    select * from {{ ref('stg_returns__file_tables') }}

),

versions as (

    select
        return_table,
        council_code,
        period,
        max(ledger_id) as ledger_id,
        arg_max(row_count, ledger_id) as row_count
    from file_tables
    group by return_table, council_code, period

)

select * from versions
