-- Vacancy and agency components and rates per council, month, service area and regional role.
-- Rates come from the summed components of the cell, through the one DfE definition macro.
with

establishments as (

    select * from {{ ref('int_establishments_harmonised') }}

),

components_summed as (

    select
        council_code,
        period,
        service_area,
        regional_role,
        month_end_date,
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
    from establishments
    group by council_code, period, service_area, regional_role, month_end_date

),

rates_added as (

    select
        -- ids
        council_code,
        period,
        service_area,
        regional_role,

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
