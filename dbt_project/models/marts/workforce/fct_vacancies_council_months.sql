-- Each council's vacancy and agency components and rates for a month: the whole return.
with

establishments as (

    select * from {{ ref('int_establishments_harmonised') }}

),

members as (

    select * from {{ ref('members') }}

),

components_summed as (

    select
        council_code,
        period,
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
    group by council_code, period, month_end_date

),

council_months as (

    select
        -- ids
        components_summed.council_code,
        components_summed.period,

        -- dimensions
        members.council_name,

        -- dates
        components_summed.month_end_date,

        -- measures
        components_summed.establishment_fte,
        components_summed.permanent_fte,
        components_summed.agency_fte,
        components_summed.agency_vacancy_fte,
        components_summed.vacancy_fte,
        components_summed.starters_fte,
        components_summed.starters_headcount,
        components_summed.leavers_fte,
        components_summed.leavers_headcount,
        components_summed.leavers_to_agency_headcount,
        components_summed.cases_held,
        components_summed.case_holder_fte,

        -- rates (percent)
        {{ vacancy_rate('components_summed.vacancy_fte', 'components_summed.permanent_fte') }}
            as vacancy_rate,
        {{ agency_rate('components_summed.agency_fte', 'components_summed.permanent_fte') }}
            as agency_rate

    from components_summed
    left join members
        on components_summed.council_code = members.council_code

)

select * from council_months
