{{ config(
    materialized='incremental',
    unique_key=['council_code', 'period'],
    pre_hook="{{ delete_rows_in_rebuild_scope(['agency_assignments']) }}"
) }}
-- The agency assignment rows of the current version of each council's return for a period.
-- The current-version rule lives in one macro (macros/latest_versions.sql): the file with the
-- greatest ledger_id per council and period.
with

agency_assignments as (

    select * from {{ ref('stg_returns__agency_assignments') }}

),

latest_file_rows as (

    {{ latest_file_rows('agency_assignments', 'agency_assignments') }}

),

current_versions as (

    select
        -- ids
        ledger_id,
        file_sha256,
        council_code,
        period,
        source_row_number,
        assignment_key,
        worker_key,

        -- dimensions
        agency_name,
        local_grade,
        local_team,
        rate_basis,
        reason,
        is_cap_exception_signed_off,
        signed_off_by,
        engagement_model,
        is_project_team,

        -- measures
        pay_rate,
        charge_rate,
        hours_per_week,
        employer_ni_hourly,
        holiday_pay_hourly,
        references_received,
        notice_period_weeks,

        -- dates
        start_date,
        end_date,
        signed_off_on,
        qualified_on,

        -- snapshot and timestamps
        month_end_date,
        received_at

    from latest_file_rows

)

select * from current_versions
