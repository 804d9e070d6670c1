-- The breach register of the DfE agency rules: one row per assignment-month above the price
-- cap in force on the assignment's start date, compared as the DfE defines it for its
-- engagement model (int_agency_assignments_capped, macros/agency_caps.sql), with how far
-- above (pounds an hour and per cent of the cap it is compared with), whether the Director of
-- Children's Services signed it off (by role, on a date), and since when the assignment has
-- been above the cap. A full rebuild every time (not incremental): the run of months of an
-- assignment reaches back across council-months a rebuild scope would not cover.
with

assignments as (

    select * from {{ ref('int_agency_assignments_capped') }}

),

breaches as (

    select * from assignments
    where is_above_cap

),

excess_added as (

    select
        *,
        {{ exact_measure('cap_comparable_rate - cap_comparable_cap') }} as excess_hourly,
        {{ safe_percentage('cap_comparable_rate - cap_comparable_cap', 'cap_comparable_cap') }}
            as excess_percentage
    from breaches

),

runs_added as (

    select
        *,
        min(period) over (partition by council_code, assignment_key) as first_breach_period,
        cast(row_number() over (
            partition by council_code, assignment_key order by period
        ) as integer) as breach_months_to_date
    from excess_added

),

final as (

    select
        -- ids
        council_code,
        period,
        assignment_key,

        -- dimensions
        agency_name,
        agency_job_type,
        regional_role,
        engagement_model,
        cap_comparison_basis,
        cap_includes,
        is_cap_placeholder,
        uses_default_on_costs,
        is_cap_exception_signed_off as is_signed_off,
        signed_off_by,

        -- dates
        month_end_date,
        start_date,
        cap_effective_from,
        signed_off_on,

        -- measures: pounds per hour
        hourly_pay_rate,
        case when cap_comparison_basis <> 'pay_only' then hourly_on_costs end as hourly_on_costs,
        cap_comparable_rate,
        cap_hourly_pay,
        cap_comparable_cap,
        excess_hourly,
        excess_percentage,

        -- the run of months above the cap
        first_breach_period,
        breach_months_to_date

    from runs_added

)

select * from final
