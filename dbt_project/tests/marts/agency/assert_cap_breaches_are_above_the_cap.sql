-- Fails for each row of the breach register that is not above its cap: the excess must be
-- positive and pay + on-costs (or pay, for a cap on pay alone) above the cap to the penny.
with

breaches as (

    select * from {{ ref('fct_agency_cap_breaches') }}

),

not_above as (

    select
        council_code,
        period,
        assignment_key,
        excess_hourly
    from breaches
    where
        excess_hourly <= 0
        or round(cap_comparable_rate - cap_comparable_cap + cap_hourly_pay, 2) <= cap_hourly_pay

)

select * from not_above
