{{ config(
    materialized='incremental',
    unique_key=['council_code', 'period'],
    pre_hook="{{ delete_rows_in_rebuild_scope(['agency_assignments']) }}"
) }}
-- One row per agency assignment per month it was open in (from the current version of each
-- council-month's agency return), in regional roles and service areas, with hourly rates, the
-- month's spend and the cap in force on the assignment's start date. Names agencies: for the
-- members' marts only; the partner extract must never publish per-agency figures.
with

assignments as (

    select * from {{ ref('int_agency_assignments_capped') }}
    where {{ is_in_rebuild_scope('council_code', 'period', ['agency_assignments']) }}

),

final as (

    select
        -- ids
        council_code,
        period,
        assignment_key,

        -- dimensions
        agency_name,
        regional_role,
        is_newly_qualified,
        service_area,
        reason,
        rate_basis,
        engagement_model,

        -- dates
        start_date,
        end_date,
        month_end_date,

        -- measures: rates per hour (daily rates converted)
        hourly_pay_rate,
        hourly_charge_rate,
        hours_per_week,

        -- measures: the month
        weeks_open_in_month,
        monthly_spend,

        -- agency rules
        cap_hourly_pay,
        cap_includes,
        is_cap_placeholder,
        cap_effective_from,
        cap_comparison_basis,
        cap_comparable_rate,
        cap_comparable_cap,
        uses_default_on_costs,
        is_above_cap,
        is_cap_exception_signed_off,
        is_breach_signed_off,
        is_breach_not_signed_off

    from assignments

)

select * from final
