{{ config(materialized='incremental', unique_key=['council_code', 'period']) }}
-- The worker rows of the current version of each council's workforce table for a period.
-- The current-version rule lives in one macro (macros/latest_versions.sql): the file with the
-- greatest ledger_id per council and period.
with

workers as (

    select * from {{ ref('stg_returns__workforce') }}

),

latest_file_rows as (

    {{ latest_file_rows('workers', 'workforce') }}

),

current_versions as (

    select
        -- ids
        ledger_id,
        file_sha256,
        council_code,
        period,
        source_row_number,
        worker_key,

        -- dimensions
        is_agency_worker,
        ethnicity,
        qualification_level,
        org_role,
        start_origin,
        reason_leave,
        leaver_destination,
        is_absent_at_30_sept,
        reason_absence,

        -- measures
        fte,
        fte_30_sept,
        cases_30_sept,
        working_days_lost,
        base_salary,

        -- dates
        birth_month,
        role_start_date,
        role_end_date,

        -- snapshot and timestamps
        month_end_date,
        received_at

    from latest_file_rows

)

select * from current_versions
