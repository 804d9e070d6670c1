{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- The establishment rows of the current version of each council's return for a period.
-- The current-version rule lives in one macro (macros/latest_versions.sql): the file with the
-- greatest ledger_id per council and period.
with

establishments as (

    select * from {{ ref('stg_returns__establishment') }}

),

latest_file_rows as (

    {{ latest_file_rows('establishments', 'establishment') }}

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
        local_team,
        local_grade,

        -- measures
        establishment_fte,
        permanent_fte,
        agency_fte,
        agency_vacancy_fte,
        vacancy_fte,
        starters_fte,
        starters_headcount,
        leavers_fte,
        leavers_headcount,
        leavers_to_agency_headcount,
        cases_held,
        case_holder_fte,

        -- dates and timestamps
        month_end_date,
        received_at

    from latest_file_rows

)

select * from current_versions
