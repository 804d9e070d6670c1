{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- The LA-level record of the current census XML of each council for a period.
-- The current-version rule lives in one macro (macros/latest_versions.sql): the file with the
-- greatest ledger_id per council and period.
with

census_la_records as (

    select * from {{ ref('stg_returns__census_la') }}

),

latest_file_rows as (

    {{ latest_file_rows('census_la_records', 'census_la') }}

),

current_versions as (

    select
        -- ids
        ledger_id,
        file_sha256,
        council_code,
        period,
        source_row_number,

        -- measures
        vacancy_fte,
        agency_vacancy_fte,
        agency_vacancy_headcount,
        schema_year,

        -- dates
        reference_date,

        -- snapshot and timestamps
        month_end_date,
        received_at

    from latest_file_rows

)

select * from current_versions
