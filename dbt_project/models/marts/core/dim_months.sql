-- One row per calendar month, the period every return and mart is keyed by ('YYYY-MM').
-- A fixed calendar from the first agency cap period (April 2016) to December 2035: a period
-- outside it fails the relationships tests of the marts, which says to extend the range here.
with

months as (

    select
        cast(
            unnest(generate_series(date '2016-01-01', date '2035-12-01', interval 1 month))
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
