{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- The pay scale rows of the current version of each council's return for a period.
-- The current-version rule lives in one macro (macros/latest_versions.sql): the file with the
-- greatest ledger_id per council and period.
with

pay_scales as (

    select * from {{ ref('stg_returns__pay_scales') }}

),

latest_file_rows as (

    {{ latest_file_rows('pay_scales', 'pay_scales') }}

),

current_versions as (

    select
        -- ids
        ledger_id,
        file_sha256,
        council_code,
        period,
        source_row_number,

        -- dimensions
        local_grade,

        -- measures
        salary_min,
        salary_max,
        weekly_hours,
        market_supplement,
        recruitment_payment,
        retention_payment,

        -- dates
        effective_from,

        -- snapshot and timestamps
        month_end_date,
        received_at

    from latest_file_rows

)

select * from current_versions
