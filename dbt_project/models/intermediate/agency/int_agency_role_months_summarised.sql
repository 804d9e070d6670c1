-- Agency rates per council, month and regional role, from the assignments open in the month
-- (read by fct_agency_rates, and by fct_pay_rates for the annualised agency cost, so the
-- figures are computed once):
-- how many, their hours, the median and quartiles of hourly pay and charge rates (continuous
-- quantiles), the caps in force on their start dates (and whether any is a placeholder), how
-- many were above the cap, breaches with and without the DCS's sign-off, the month's spend,
-- and the annualised agency cost at the median charge rate (macros/money.sql).
with

assignments as (

    select * from {{ ref('int_agency_assignments_capped') }}

),

summarised as (

    select
        council_code,
        period,
        regional_role,
        month_end_date,

        -- size
        cast(count(distinct assignment_key) as integer) as assignment_count,
        sum(hours_per_week) as hours_per_week,

        -- rates
        quantile_cont(hourly_pay_rate, 0.25) as hourly_pay_rate_p25,
        quantile_cont(hourly_pay_rate, 0.5) as hourly_pay_rate_median,
        quantile_cont(hourly_pay_rate, 0.75) as hourly_pay_rate_p75,
        quantile_cont(hourly_charge_rate, 0.25) as hourly_charge_rate_p25,
        quantile_cont(hourly_charge_rate, 0.5) as hourly_charge_rate_median,
        quantile_cont(hourly_charge_rate, 0.75) as hourly_charge_rate_p75,

        -- caps: assignments that started on different days can have different caps
        min(cap_hourly_pay) as cap_hourly_pay_min,
        max(cap_hourly_pay) as cap_hourly_pay_max,
        cast(count(cap_hourly_pay) as integer) as capped_assignment_count,
        coalesce(bool_or(is_cap_placeholder), false) as is_placeholder_cap,
        cast(count(*) filter (where is_above_cap) as integer) as above_cap_count,
        cast(count(*) filter (where is_breach_signed_off) as integer) as breaches_signed_off,
        cast(count(*) filter (where is_breach_not_signed_off) as integer)
            as breaches_not_signed_off,

        -- spend
        sum(monthly_spend) as agency_spend

    from assignments
    group by council_code, period, regional_role, month_end_date

),

shares_added as (

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
        coalesce(cap_hourly_pay_min <> cap_hourly_pay_max, false) as has_several_caps,
        is_placeholder_cap,
        capped_assignment_count,
        above_cap_count,
        {{ safe_percentage('above_cap_count', 'capped_assignment_count') }} as above_cap_share,
        breaches_signed_off,
        breaches_not_signed_off,

        -- money
        agency_spend,
        {{ annualised_agency_cost('hourly_charge_rate_median') }}
            as annualised_agency_cost_at_median

    from summarised

)

select * from shares_added
