-- The pay scale rows of the current version of each council-month's return, with the council's
-- grade mapped to a regional role and the salaries restated for a 37-hour week
-- (macros/money.sql). One row per return, grade and effective date. The mapping is the row in
-- force on the return's month end (valid_from to valid_to inclusive), whatever the scale's own
-- effective date. Left join on purpose: an unmapped grade keeps its row with a NULL role and
-- fails the not_null test on this model.
with

pay_scales as (

    select * from {{ ref('int_pay_scales_latest') }}

),

grade_role_map as (

    select * from {{ ref('grade_role_map') }}

),

harmonised as (

    select
        -- ids
        pay_scales.ledger_id,
        pay_scales.file_sha256,
        pay_scales.council_code,
        pay_scales.period as return_period,
        pay_scales.source_row_number,

        -- dimensions
        pay_scales.local_grade,
        grade_role_map.regional_role,
        grade_role_map.is_newly_qualified,

        -- measures: as reported
        pay_scales.salary_min,
        pay_scales.salary_max,
        pay_scales.weekly_hours,
        pay_scales.market_supplement,
        pay_scales.recruitment_payment,
        pay_scales.retention_payment,

        -- measures: full time at 37 hours
        {{ annual_salary_at_standard_hours('pay_scales.salary_min', 'pay_scales.weekly_hours') }}
            as salary_min_at_standard_hours,
        {{ annual_salary_at_standard_hours('pay_scales.salary_max', 'pay_scales.weekly_hours') }}
            as salary_max_at_standard_hours,

        -- dates
        pay_scales.effective_from,
        pay_scales.month_end_date as return_month_end_date

    from pay_scales
    left join grade_role_map
        on
            pay_scales.council_code = grade_role_map.council_code
            and pay_scales.local_grade = grade_role_map.local_grade
            and {{ in_force_on('pay_scales.month_end_date', 'grade_role_map') }}

)

select * from harmonised
