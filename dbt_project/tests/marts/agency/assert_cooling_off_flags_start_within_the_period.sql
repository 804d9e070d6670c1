-- Fails for each cooling-off flag whose assignment did not start within the cooling-off period
-- after the leaving: on or after the leaving day, on or before the period's last day, and
-- days_between the days from one to the other.
with

flags as (

    select * from {{ ref('fct_cooling_off_flags') }}

),

outside as (

    select
        engaging_council_code,
        last_period,
        last_period_row_number,
        leaving_date,
        start_date,
        cooling_off_ends_on,
        days_between
    from flags
    where
        start_date < leaving_date
        or start_date > cooling_off_ends_on
        or days_between <> date_diff('day', leaving_date, start_date)
        or (is_exception and exception_reason is null)
        or (not is_exception and exception_reason is not null)

)

select * from outside
