-- Regional vacancy and agency figures per month, from the components summed over the councils
-- that sent a return for that month. Rates are computed from those sums (DfE method), never
-- by averaging council rates; a council with no return that month is in neither numerator nor
-- denominator, and councils_included says who is in.
with

establishments as (

    select * from {{ ref('int_establishments_harmonised') }}

),

members as (

    select * from {{ ref('members') }}

),

establishments_with_region as (

    select
        establishments.*,
        members.region_code,
        members.region_name
    from establishments
    inner join members
        on establishments.council_code = members.council_code

),

components_summed as (

    select
        region_code,
        region_name,
        period,
        month_end_date,
        cast(count(distinct council_code) as integer) as councils_included,
        string_agg(distinct council_code, ',' order by council_code) as councils_included_codes,
        sum(establishment_fte) as establishment_fte,
        sum(permanent_fte) as permanent_fte,
        sum(agency_fte) as agency_fte,
        sum(agency_vacancy_fte) as agency_vacancy_fte,
        sum(vacancy_fte) as vacancy_fte,
        sum(starters_fte) as starters_fte,
        cast(sum(starters_headcount) as integer) as starters_headcount,
        sum(leavers_fte) as leavers_fte,
        cast(sum(leavers_headcount) as integer) as leavers_headcount,
        cast(sum(leavers_to_agency_headcount) as integer) as leavers_to_agency_headcount,
        cast(sum(cases_held) as integer) as cases_held,
        sum(case_holder_fte) as case_holder_fte
    from establishments_with_region
    group by region_code, region_name, period, month_end_date

),

rates_added as (

    select
        -- ids
        region_code,
        period,

        -- dimensions
        region_name,
        councils_included,
        councils_included_codes,

        -- dates
        month_end_date,

        -- measures
        establishment_fte,
        permanent_fte,
        agency_fte,
        agency_vacancy_fte,
        vacancy_fte,
        starters_fte,
        starters_headcount,
        leavers_fte,
        leavers_headcount,
        leavers_to_agency_headcount,
        cases_held,
        case_holder_fte,

        -- rates (percent)
        {{ vacancy_rate('vacancy_fte', 'permanent_fte') }} as vacancy_rate,
        {{ agency_rate('agency_fte', 'permanent_fte') }} as agency_rate

    from components_summed

)

select * from rates_added
