{{ config(
    materialized='incremental',
    unique_key=['council_code', 'period'],
    pre_hook="{{ delete_rows_in_rebuild_scope(['agency_assignments']) }}"
) }}
-- Agency rates per council, month and regional role (computed in
-- int_agency_role_months_summarised, which fct_pay_rates also reads): size, hourly pay and
-- charge rate quartiles, caps in force on the assignments' start dates (placeholder or not),
-- breaches with and without sign-off, spend and annualised agency cost.
with

role_months as (

    select * from {{ ref('int_agency_role_months_summarised') }}
    where {{ is_in_rebuild_scope('council_code', 'period', ['agency_assignments']) }}

),

final as (

    select
        -- ids
        council_code,
        period,
        regional_role,

        -- dates
        month_end_date,

        -- measures: size
        assignment_count,
        hours_per_week,

        -- measures: rates per hour
        hourly_pay_rate_p25,
        hourly_pay_rate_median,
        hourly_pay_rate_p75,
        hourly_charge_rate_p25,
        hourly_charge_rate_median,
        hourly_charge_rate_p75,

        -- agency rules
        cap_hourly_pay_min,
        cap_hourly_pay_max,
        has_several_caps,
        is_placeholder_cap,
        capped_assignment_count,
        above_cap_count,
        above_cap_share,
        breaches_signed_off,
        breaches_not_signed_off,

        -- money
        agency_spend,
        annualised_agency_cost_at_median

    from role_months

)

select * from final
