{{ config(materialized='incremental', unique_key=['council_code']) }}
-- What was in force when: for each council and month, the scale of each of its grades in force
-- at the month's end. Months run from the council's first pay scale return to its last, so a
-- month without a return is still covered.
--   * which grades: those listed in the council's latest return for that month or before it
--     (a return lists every grade, so a grade the council has abolished drops out);
--   * which scale: of every row any of the council's returns gives for the grade, the one with
--     the latest effective_from on or before the month's end; where several returns give that
--     grade and date, the latest return (period, then ledger_id) wins, so a later return that
--     corrects or backdates a scale restates the months it covers.
with

scales as (

    select * from {{ ref('int_pay_scales_harmonised') }}
    -- a later return can restate any month of its council (a backdated scale): all of a
    -- council's months are recomputed when any of its pay scale returns changed
    where {{ is_council_in_rebuild_scope('council_code', ['pay_scales']) }}

),

return_months as (

    select distinct
        council_code,
        return_period,
        return_month_end_date
    from scales

),

council_month_ranges as (

    select
        council_code,
        min(return_month_end_date) as first_month_end_date,
        max(return_month_end_date) as last_month_end_date
    from return_months
    group by council_code

),

council_months as (

    select
        council_code,
        cast(
            unnest(generate_series(
                date_trunc('month', first_month_end_date),
                date_trunc('month', last_month_end_date),
                interval 1 month
            )) as date
        ) as month_start_date
    from council_month_ranges

),

council_months_dated as (

    select
        council_code,
        strftime(month_start_date, '%Y-%m') as period,
        last_day(month_start_date) as month_end_date
    from council_months

),

grade_list_returns as (

    select
        council_months_dated.council_code,
        council_months_dated.period,
        council_months_dated.month_end_date,
        max(return_months.return_period) as grade_list_period
    from council_months_dated
    inner join return_months
        on
            council_months_dated.council_code = return_months.council_code
            and council_months_dated.period >= return_months.return_period
    group by
        council_months_dated.council_code,
        council_months_dated.period,
        council_months_dated.month_end_date

),

listed_grades as (

    select distinct
        grade_list_returns.council_code,
        grade_list_returns.period,
        grade_list_returns.month_end_date,
        grade_list_returns.grade_list_period,
        scales.local_grade
    from grade_list_returns
    inner join scales
        on
            grade_list_returns.council_code = scales.council_code
            and grade_list_returns.grade_list_period = scales.return_period

),

scales_in_force as (

    select
        -- ids
        listed_grades.council_code,
        listed_grades.period,
        listed_grades.local_grade,

        -- dimensions
        scales.regional_role,
        scales.is_newly_qualified,
        scales.return_period as scale_return_period,
        listed_grades.grade_list_period,

        -- measures
        scales.salary_min,
        scales.salary_max,
        scales.weekly_hours,
        scales.salary_min_at_standard_hours,
        scales.salary_max_at_standard_hours,
        scales.market_supplement,
        scales.recruitment_payment,
        scales.retention_payment,

        -- dates
        scales.effective_from,
        listed_grades.month_end_date

    from listed_grades
    inner join scales
        on
            listed_grades.council_code = scales.council_code
            and listed_grades.local_grade = scales.local_grade
            and listed_grades.month_end_date >= scales.effective_from
    qualify row_number() over (
        partition by listed_grades.council_code, listed_grades.period, listed_grades.local_grade
        order by scales.effective_from desc, scales.return_period desc, scales.ledger_id desc
    ) = 1

)

select * from scales_in_force
