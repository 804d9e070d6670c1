-- One row per calendar month, the period every return and mart is keyed by ('YYYY-MM').
-- The months of the plausible-period window, the months ingest accepts a return for: from
-- MOC_EARLIEST_PERIOD (by default 2017-09, the DfE's first workforce collection) to the month
-- after the current one. The window has one home, common.periods.plausible_window; dbt gets
-- its ends as the vars first_period and last_period from transform.dbt_runner, so a run
-- without them stops here rather than guess. Every return's month is in the calendar, and
-- fct_return_submissions lists no month a council could not yet have sent.
with

months as (

    select
        cast(
            unnest(generate_series(
                cast('{{ var("first_period") }}-01' as date),
                cast('{{ var("last_period") }}-01' as date),
                interval 1 month
            ))
            as date
        ) as month_start

),

calendar as (

    select
        -- ids
        strftime(month_start, '%Y-%m') as period,

        -- dates
        month_start,
        last_day(month_start) as month_end,
        cast(day(last_day(month_start)) as integer) as days_in_month,

        -- calendar
        cast(year(month_start) as integer) as calendar_year,
        cast(month(month_start) as integer) as calendar_month,
        cast(quarter(month_start) as integer) as calendar_quarter,

        -- financial year, April to March, named by its first year ('2024-25' starts April 2024)
        cast(
            case when month(month_start) >= 4 then year(month_start) else year(month_start) - 1 end
            as integer
        ) as financial_year_start,
        cast(((month(month_start) + 8) % 12) // 3 + 1 as integer) as financial_quarter

    from months

),

labelled as (

    select
        *,
        cast(financial_year_start as varchar)
        || '-'
        || right(cast(financial_year_start + 1 as varchar), 2) as financial_year
    from calendar

)

select * from labelled
